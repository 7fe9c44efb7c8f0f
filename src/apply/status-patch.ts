import type {
  BackendHealthReport,
  BackendHealthStatus,
  Condition,
  RuntimeStatus,
} from '../types.js';
import { redactUrl } from '../redact-url.js';
import { ownedConditionTypes } from './ownership.js';

/** Which VirtualMCPServer a patch is for. */
export interface ObjectRef {
  readonly name: string;
  readonly namespace: string;
  /** Defaults to {@link DEFAULT_API_VERSION}. */
  readonly apiVersion?: string;
}

import { DEFAULT_API_VERSION, VMCP_KIND } from './vmcp-resource.js';

export { DEFAULT_API_VERSION, VMCP_KIND };

/** A condition as the CRD stores it. */
export interface ConditionJson {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** One `status.discoveredBackends[]` entry. */
export interface DiscoveredBackendJson {
  name: string;
  status: 'ready' | 'degraded' | 'unavailable' | 'unauthenticated' | 'unknown';
  url?: string;
  message?: string;
  lastHealthCheck?: string;
  consecutiveFailures?: number;
  circuitBreakerState?: string;
  circuitLastChanged?: string;
  toolCount?: number;
}

/** The runtime-owned part of `status`: always the complete set (see src/apply/ownership.ts). */
export interface RuntimeStatusJson {
  phase: string;
  message: string;
  backendCount: number;
  totalToolCount: number;
  healthyBackends: number;
  unhealthyBackends: number;
  lastDiscoveryTime?: string;
  discoveredBackends: DiscoveredBackendJson[];
  conditions: ConditionJson[];
}

/**
 * A server-side apply object for the status subresource: the runtime's fields at the
 * top of `status` by default; the reporter's own, laid out for the CRD, as a record.
 */
export interface StatusApplyPatch<Status extends object = RuntimeStatusJson> {
  apiVersion: string;
  kind: typeof VMCP_KIND;
  metadata: { name: string; namespace: string };
  status: Status;
}

/** The CRD's words for backend health, as ToolHive writes them. */
export const CRD_BACKEND_STATUS: Readonly<
  Record<BackendHealthStatus, DiscoveredBackendJson['status']>
> = {
  healthy: 'ready',
  degraded: 'degraded',
  unhealthy: 'unavailable',
  unauthenticated: 'unauthenticated',
  unknown: 'unknown',
};

/** RFC 3339 at second precision, as `metav1.Time` serializes, so server values compare equal. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function backendJson(backend: BackendHealthReport): DiscoveredBackendJson {
  const json: DiscoveredBackendJson = {
    name: backend.name,
    status: CRD_BACKEND_STATUS[backend.status],
    toolCount: backend.toolCount,
    consecutiveFailures: backend.consecutiveFailures,
  };
  // Whoever built the status, credentials in a URL never reach the object.
  if (backend.url !== undefined) json.url = redactUrl(backend.url);
  // Only the sanitized category: raw error text never reaches a status field.
  if (backend.errorCategory !== undefined) json.message = backend.errorCategory;
  if (backend.lastHealthCheck !== undefined)
    json.lastHealthCheck = kubeTime(backend.lastHealthCheck);
  if (backend.circuitBreakerState !== undefined)
    json.circuitBreakerState = backend.circuitBreakerState;
  if (backend.circuitLastChanged !== undefined)
    json.circuitLastChanged = kubeTime(backend.circuitLastChanged);
  return json;
}

/**
 * A condition keeps its previous `lastTransitionTime` unless its `status` changed
 * (apimachinery's SetStatusCondition rule), also across restarts: `previous` are the
 * conditions read from the server.
 */
function conditionJson(
  condition: Condition,
  previous: readonly ConditionJson[] | undefined,
): ConditionJson {
  const before = previous?.find((p) => p.type === condition.type);
  const json: ConditionJson = {
    type: condition.type,
    status: condition.status,
    reason: condition.reason,
    message: condition.message,
    lastTransitionTime:
      before !== undefined && before.status === condition.status
        ? before.lastTransitionTime
        : kubeTime(condition.lastTransitionTime),
  };
  if (condition.observedGeneration !== undefined)
    json.observedGeneration = condition.observedGeneration;
  return json;
}

/**
 * The server-side apply object for `status`: apiVersion, kind, name, namespace and the
 * complete set of runtime-owned fields, nothing else (never `url`, `observedGeneration`
 * or operator conditions). Pure.
 *
 * @param previous conditions the server holds (or the last patch's), to keep transition times.
 */
export function statusApplyPatch(
  ref: ObjectRef,
  status: RuntimeStatus,
  previous?: readonly ConditionJson[],
): StatusApplyPatch {
  const runtimeTypes = new Set(ownedConditionTypes('runtime'));
  const json: RuntimeStatusJson = {
    phase: status.phase,
    message: status.message,
    backendCount: status.backendCount,
    totalToolCount: status.totalToolCount,
    healthyBackends: status.healthyBackends,
    unhealthyBackends: status.unhealthyBackends,
    discoveredBackends: status.backends.map(backendJson),
    conditions: status.conditions
      .filter((c) => runtimeTypes.has(c.type))
      .map((c) => conditionJson(c, previous)),
  };
  if (status.lastDiscoveryTime !== undefined)
    json.lastDiscoveryTime = kubeTime(status.lastDiscoveryTime);
  return {
    apiVersion: ref.apiVersion ?? DEFAULT_API_VERSION,
    kind: VMCP_KIND,
    metadata: { name: ref.name, namespace: ref.namespace },
    status: json,
  };
}
