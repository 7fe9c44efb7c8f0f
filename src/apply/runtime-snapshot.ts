/**
 * The runtime's status in ToolHive's words, for the `runtime` layout: the
 * `status.runtime` snapshot ToolHive's vMCP writes (pkg/vmcp/status/k8s_reporter.go,
 * v0.63.0) and its operator projects to the top level. Pure.
 */
import type { ErrorCategory, RuntimeStatus } from '../types.js';
import { withoutStatusFields } from './runtime-status-fields.js';
import type { ResolvedStatusLayout } from './status-layout.js';
import {
  statusApplyPatch,
  type ConditionJson,
  type DiscoveredBackendJson,
  type ObjectRef,
  type RuntimeStatusJson,
  type StatusApplyPatch,
} from './status-patch.js';

/** ToolHive's generic error texts (pkg/vmcp/health: categorizeErrorForMessage). */
const CATEGORY_TEXT: Readonly<Record<ErrorCategory, string>> = {
  timeout: 'Health check timed out',
  connection_failed: 'Connection failed',
  authentication_failed: 'Authentication failed',
  backend_unavailable: 'Backend unavailable',
  protocol_error: 'Health check failed',
  health_check_failed: 'Health check failed',
};

/**
 * A backend's `message` as ToolHive's runtime words it (formatBackendMessage): the
 * error category's text, else the health, prefixed by an open or half-open circuit
 * breaker. ToolHive's "(failures: N)" suffix is left out: the count has its own field,
 * and a text that changes on every failed probe would cost a write per probe.
 */
export function toolhiveBackendMessage(backend: DiscoveredBackendJson): string {
  const category = backend.message as ErrorCategory | undefined;
  let base: string;
  if (category !== undefined && category in CATEGORY_TEXT) base = CATEGORY_TEXT[category];
  else {
    switch (backend.status) {
      case 'ready':
        base = 'Healthy';
        break;
      case 'degraded':
        base =
          (backend.consecutiveFailures ?? 0) > 0
            ? `Recovering from ${String(backend.consecutiveFailures)} failures`
            : 'Degraded performance';
        break;
      case 'unavailable':
        base = 'Unhealthy';
        break;
      case 'unauthenticated':
        base = 'Authentication misconfigured (backend requires auth, none configured)';
        break;
      case 'unknown':
        base = 'Unknown';
        break;
    }
  }
  if (backend.circuitBreakerState === 'open') return `Circuit breaker OPEN - ${base}`;
  if (backend.circuitBreakerState === 'half-open')
    return `Circuit breaker testing recovery - ${base}`;
  return base;
}

/** Empty values Go's `omitempty` leaves out: a round trip through ToolHive's types drops them. */
function isEmpty(value: unknown): boolean {
  return value === '' || value === 0 || (Array.isArray(value) && value.length === 0);
}

function withoutEmpty<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => value !== undefined && !isEmpty(value)),
  ) as Partial<T>;
}

/**
 * The `status.runtime` snapshot for a runtime status: phase, message, counts,
 * conditions (verbatim: `metav1.Condition`) and discoveredBackends with ToolHive's
 * backend messages; empty values left out as Go's `omitempty` does, so ToolHive's
 * operator, reading and writing it back through its Go types, changes nothing. The
 * fields ToolHive's schema lacks (`totalToolCount`, per-backend `toolCount`, …) are
 * still here: the reporter drops what the installed schema does not declare.
 */
export function runtimeSnapshot(json: RuntimeStatusJson): Partial<RuntimeStatusJson> {
  const backends = json.discoveredBackends.map(
    (backend) =>
      withoutEmpty({
        ...backend,
        message: toolhiveBackendMessage(backend),
      }) as DiscoveredBackendJson,
  );
  return withoutEmpty({ ...json, discoveredBackends: backends });
}

/** The status body the runtime applies in `layout`. Pure. */
export function layoutStatusBody(
  layout: ResolvedStatusLayout,
  json: RuntimeStatusJson,
): Record<string, unknown> {
  return layout === 'runtime' ? { runtime: runtimeSnapshot(json) } : { ...json };
}

/**
 * The apply object the reporter sends: the runtime's status laid out for `layout`,
 * without the `dropped` fields the installed CRD lacks. `previous` conditions keep
 * their transition times (see {@link statusApplyPatch}). Pure.
 */
export function laidOutPatch(
  ref: ObjectRef,
  status: RuntimeStatus,
  layout: ResolvedStatusLayout,
  previous: readonly ConditionJson[] | undefined,
  dropped: ReadonlySet<string>,
): StatusApplyPatch<Record<string, unknown>> {
  const patch = statusApplyPatch(ref, status, previous);
  return { ...patch, status: withoutStatusFields(layoutStatusBody(layout, patch.status), dropped) };
}
