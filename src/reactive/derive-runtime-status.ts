import type {
  BackendHealthEvent,
  BackendHealthReport,
  BackendHealthStatus,
  Condition,
  Phase,
  RuntimeStatus,
} from '../types.js';
import { addSafeCounts, toSafeCount } from '../safe-count.js';

/** What the pipeline knows about the backends when it derives a status. */
export interface BackendStates {
  /** The latest check of each backend checked at least once, by name. */
  readonly backends: ReadonlyMap<string, BackendHealthEvent>;
  /** When the set of backends or any tool count last changed. */
  readonly lastDiscoveryTime?: Date | undefined;
}

/** Condition reasons the runtime writes (PascalCase, stable: tools match on them). */
export const RuntimeReasons = {
  AllBackendsRoutable: 'AllBackendsRoutable',
  BackendsPending: 'BackendsPending',
  NoRoutableBackends: 'NoRoutableBackends',
  SomeBackendsUnhealthy: 'SomeBackendsUnhealthy',
  BackendsDegraded: 'BackendsDegraded',
  BackendsDiscovered: 'BackendsDiscovered',
} as const;

/** Condition types the runtime owns. */
export const RuntimeConditionTypes = ['Ready', 'Degraded', 'BackendsDiscovered'] as const;

/** Healthy and unauthenticated backends take traffic (clients bring their own credentials). */
export function isRoutable(status: BackendHealthStatus): boolean {
  return status === 'healthy' || status === 'unauthenticated';
}

/** Usable backends answer: routable ones and degraded (slow or recovering) ones. */
export function isUsable(status: BackendHealthStatus): boolean {
  return isRoutable(status) || status === 'degraded';
}

/**
 * Derives the runtime's status from the backends' latest checks. Pure: the same
 * arguments always give the same status, whatever order the checks arrived in.
 *
 * Only configured backends that were checked at least once count. The phase:
 * - no backends configured: Ready;
 * - none checked yet: Pending;
 * - every checked backend routable: Ready;
 * - no checked backend usable: Failed;
 * - otherwise Degraded. A vMCP whose backends all answer slowly is Degraded, not
 *   Failed (ToolHive says Failed; its clients can still reach every tool).
 *
 * Condition times are `now`; {@link carryTransitionTimes} keeps earlier ones.
 */
export function deriveRuntimeStatus(
  state: BackendStates,
  configuredNames: readonly string[],
  now: Date,
): RuntimeStatus {
  const configured = [...new Set(configuredNames)].sort(compareNames);
  const checked: BackendHealthEvent[] = [];
  for (const name of configured) {
    const check = state.backends.get(name);
    if (check !== undefined) checked.push(check);
  }

  const counts = countByStatus(checked);
  const routable = counts.healthy + counts.unauthenticated;
  const usable = routable + counts.degraded;
  // Counts from a buggy backend or embedder (NaN, -1, 1e300) become int32-safe.
  const totalToolCount = checked.reduce(
    (sum, check) => (isUsable(check.status) ? addSafeCounts(sum, check.toolCount) : sum),
    0,
  );
  const pending = configured.length - checked.length;

  let phase: Phase;
  let ready: Pick<Condition, 'status' | 'reason'>;
  if (configured.length === 0) {
    phase = 'Ready';
    ready = { status: 'True', reason: RuntimeReasons.AllBackendsRoutable };
  } else if (checked.length === 0) {
    phase = 'Pending';
    ready = { status: 'False', reason: RuntimeReasons.BackendsPending };
  } else if (routable === checked.length) {
    phase = 'Ready';
    ready = { status: 'True', reason: RuntimeReasons.AllBackendsRoutable };
  } else if (usable === 0) {
    phase = 'Failed';
    ready = { status: 'False', reason: RuntimeReasons.NoRoutableBackends };
  } else {
    phase = 'Degraded';
    ready = { status: 'False', reason: RuntimeReasons.SomeBackendsUnhealthy };
  }

  const message = statusMessage(
    configured.length,
    checked.length,
    routable,
    counts,
    pending,
    totalToolCount,
  );
  const conditions: Condition[] = [{ type: 'Ready', ...ready, message, lastTransitionTime: now }];
  if (counts.degraded > 0) {
    conditions.push({
      type: 'Degraded',
      status: 'True',
      reason: RuntimeReasons.BackendsDegraded,
      message: `${plural(counts.degraded, 'backend')} answering slowly or recovering`,
      lastTransitionTime: now,
    });
  }
  conditions.push({
    type: 'BackendsDiscovered',
    status: 'True',
    reason: RuntimeReasons.BackendsDiscovered,
    message: `${plural(configured.length, 'backend')} discovered`,
    lastTransitionTime: now,
  });

  return {
    phase,
    message,
    backends: checked.map(toReport),
    totalToolCount,
    healthyBackends: counts.healthy,
    unhealthyBackends: counts.unhealthy,
    backendCount: routable,
    lastDiscoveryTime: state.lastDiscoveryTime,
    conditions,
  };
}

type StatusCounts = Record<BackendHealthStatus, number>;

function countByStatus(checks: readonly BackendHealthEvent[]): StatusCounts {
  const counts: StatusCounts = {
    healthy: 0,
    degraded: 0,
    unhealthy: 0,
    unauthenticated: 0,
    unknown: 0,
  };
  for (const check of checks) counts[check.status]++;
  return counts;
}

function statusMessage(
  configured: number,
  checked: number,
  routable: number,
  counts: StatusCounts,
  pending: number,
  tools: number,
): string {
  if (configured === 0) return 'No backends configured';
  if (checked === 0) return `Waiting for the first check of ${plural(configured, 'backend')}`;
  const notRoutable = (
    [
      ['degraded', counts.degraded],
      ['unhealthy', counts.unhealthy],
      ['unknown', counts.unknown],
      ['pending', pending],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  const detail = notRoutable.length > 0 ? ` (${notRoutable.join(', ')})` : '';
  return `${routable}/${configured} backends routable${detail}, ${plural(tools, 'tool')}`;
}

function toReport(check: BackendHealthEvent): BackendHealthReport {
  return {
    name: check.name,
    url: check.url,
    status: check.status,
    toolCount: toSafeCount(check.toolCount),
    consecutiveFailures: toSafeCount(check.consecutiveFailures),
    errorCategory: check.errorCategory,
    circuitBreakerState: check.circuitBreakerState,
    circuitLastChanged: check.circuitLastChanged,
    lastHealthCheck: check.checkedAt,
    errorDetail: check.errorDetail,
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Code-point order: the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
