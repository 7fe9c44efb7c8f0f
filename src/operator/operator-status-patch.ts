import { isDeepStrictEqual } from 'node:util';
import { ownedConditionTypes, ownedFields } from '../apply/ownership.js';
import {
  DEFAULT_API_VERSION,
  VMCP_KIND,
  kubeTime,
  type ConditionJson,
  type ObjectRef,
} from '../apply/status-patch.js';
import type { ConditionVerdict } from './available-condition.js';

/** An operator condition before times are attached. */
export interface OperatorCondition extends ConditionVerdict {
  readonly type: string;
}

/** What the operator knows about one VirtualMCPServer. */
export interface OperatorStatus {
  /** The Service URL; left out while there is no Service. */
  readonly url?: string | undefined;
  /** The `metadata.generation` this status was computed from. */
  readonly observedGeneration: number;
  /** `Valid`, `Reconciled`, `Available`; other types are dropped. */
  readonly conditions: readonly OperatorCondition[];
}

/** The operator-owned part of `status`: always the complete set (see src/apply/ownership.ts). */
export interface OperatorStatusJson {
  url?: string;
  observedGeneration?: number;
  conditions: ConditionJson[];
}

/** A server-side apply object for the status subresource, as the operator sends it. */
export interface OperatorStatusApplyPatch {
  apiVersion: string;
  kind: typeof VMCP_KIND;
  metadata: { name: string; namespace: string };
  status: OperatorStatusJson;
}

/**
 * The operator's server-side apply object for `status`: apiVersion, kind, name,
 * namespace and the complete set of operator-owned fields from the ownership table
 * (`url`, `observedGeneration`, conditions `Valid`, `Reconciled`, `Available`),
 * nothing the runtime owns. A condition keeps the `lastTransitionTime` it has in
 * `previous` unless its `status` changed (apimachinery's SetStatusCondition); every
 * condition carries `observedGeneration`. Pure: `now` is the candidate transition time.
 */
export function operatorStatusPatch(
  ref: ObjectRef,
  status: OperatorStatus,
  previous: readonly ConditionJson[] | undefined,
  now: Date,
): OperatorStatusApplyPatch {
  const values: Record<string, unknown> = {
    url: status.url,
    observedGeneration: status.observedGeneration,
  };
  const json: OperatorStatusJson = { conditions: [] };
  for (const field of ownedFields('operator')) {
    if (values[field] !== undefined)
      (json as unknown as Record<string, unknown>)[field] = values[field];
  }
  const types = new Set(ownedConditionTypes('operator'));
  json.conditions = status.conditions
    .filter((c) => types.has(c.type))
    .map((c) => {
      const before = previous?.find((p) => p.type === c.type);
      return {
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
        lastTransitionTime:
          before !== undefined && before.status === c.status
            ? before.lastTransitionTime
            : kubeTime(now),
        observedGeneration: status.observedGeneration,
      };
    });
  return {
    apiVersion: ref.apiVersion ?? DEFAULT_API_VERSION,
    kind: VMCP_KIND,
    metadata: { name: ref.name, namespace: ref.namespace },
    status: json,
  };
}

/**
 * The operator-owned part of a status as found on the server, in a form that compares
 * equal to {@link operatorStatusPatch}'s `status` when the server holds it: other
 * managers' fields and conditions left out, conditions sorted by type.
 */
export function operatorOwnedPart(status: Record<string, unknown> | undefined): OperatorStatusJson {
  const part: Record<string, unknown> = {};
  for (const field of ownedFields('operator')) {
    if (status?.[field] !== undefined) part[field] = status[field];
  }
  const types = new Set(ownedConditionTypes('operator'));
  const conditions = Array.isArray(status?.conditions)
    ? (status.conditions as Array<Partial<ConditionJson>>)
    : [];
  part.conditions = conditions
    .filter((c) => c.type !== undefined && types.has(c.type))
    .map((c) => normalized(c))
    .sort((a, b) => a.type.localeCompare(b.type));
  return part as unknown as OperatorStatusJson;
}

/** Whether the server's status already holds exactly `applied`'s operator fields. */
export function holdsOperatorStatus(
  server: Record<string, unknown> | undefined,
  applied: OperatorStatusJson,
): boolean {
  return isDeepStrictEqual(
    operatorOwnedPart(server),
    operatorOwnedPart(applied as unknown as Record<string, unknown>),
  );
}

function normalized(c: Partial<ConditionJson>): ConditionJson {
  const json: ConditionJson = {
    type: c.type ?? '',
    status: c.status ?? 'Unknown',
    reason: c.reason ?? '',
    message: c.message ?? '',
    lastTransitionTime: normalizeTime(c.lastTransitionTime),
  };
  if (c.observedGeneration !== undefined) json.observedGeneration = c.observedGeneration;
  return json;
}

/** The server sends RFC 3339 strings; a typed client may have turned them into Dates. */
function normalizeTime(value: unknown): string {
  if (value instanceof Date) return kubeTime(value);
  return typeof value === 'string' ? value : '';
}
