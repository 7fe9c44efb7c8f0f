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
  /**
   * The tools the vMCP serves from each backend (after conflict resolution and
   * filtering), when the embedder says so: tool counts then come from here, not from
   * the checks. A backend missing from it serves none.
   */
  readonly served?: ServedCatalogue | undefined;
}

/**
 * What a vMCP serves, by backend name: the names of the tools each backend contributes
 * to the served `tools/list`, after conflict resolution and filtering.
 */
export type ServedCatalogue = ReadonlyMap<string, readonly string[]>;

/** How many configured backends are in which state: all the phase depends on. */
export interface PhaseCounts {
  readonly configured: number;
  /** Checked at least once. */
  readonly checked: number;
  /** Healthy or unauthenticated. */
  readonly routable: number;
  /** Routable or degraded. */
  readonly usable: number;
}

/** The phase and the Ready condition's status and reason. */
export interface PhaseDecision {
  readonly phase: Phase;
  readonly ready: Pick<Condition, 'status' | 'reason'>;
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

/**
 * The phase, from counts alone (the one place the rule lives; the pipeline's urgent
 * lane asks it on every change). Pure.
 *
 * - no backends configured: Ready;
 * - none checked yet: Pending;
 * - every checked backend routable: Ready;
 * - no checked backend usable: Failed;
 * - otherwise Degraded. A vMCP whose backends all answer slowly is Degraded, not
 *   Failed (ToolHive says Failed; its clients can still reach every tool).
 */
export function derivePhase(counts: PhaseCounts): PhaseDecision {
  if (counts.configured === 0) {
    return {
      phase: 'Ready',
      ready: { status: 'True', reason: RuntimeReasons.AllBackendsRoutable },
    };
  }
  if (counts.checked === 0) {
    return { phase: 'Pending', ready: { status: 'False', reason: RuntimeReasons.BackendsPending } };
  }
  if (counts.routable === counts.checked) {
    return {
      phase: 'Ready',
      ready: { status: 'True', reason: RuntimeReasons.AllBackendsRoutable },
    };
  }
  if (counts.usable === 0) {
    return {
      phase: 'Failed',
      ready: { status: 'False', reason: RuntimeReasons.NoRoutableBackends },
    };
  }
  return {
    phase: 'Degraded',
    ready: { status: 'False', reason: RuntimeReasons.SomeBackendsUnhealthy },
  };
}

/** The phase and the Ready status as one string: what the urgent lane compares. */
export function phaseKey(decision: PhaseDecision): string {
  return `${decision.phase}/${decision.ready.status}`;
}

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
 * Only configured backends that were checked at least once count; the phase is
 * {@link derivePhase}'s. Tool counts are what the vMCP serves when `state.served` is
 * given (the same numbers its `tools/list` has), else each usable backend's own count.
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
  const { served } = state;
  const toolCountOf = (check: BackendHealthEvent): number =>
    served === undefined ? check.toolCount : (served.get(check.name)?.length ?? 0);
  // Counts from a buggy backend or embedder (NaN, -1, 1e300) become int32-safe.
  const totalToolCount =
    served === undefined
      ? checked.reduce(
          (sum, check) => (isUsable(check.status) ? addSafeCounts(sum, check.toolCount) : sum),
          0,
        )
      : configured.reduce((sum, name) => addSafeCounts(sum, served.get(name)?.length ?? 0), 0);
  const pending = configured.length - checked.length;
  const { phase, ready } = derivePhase({
    configured: configured.length,
    checked: checked.length,
    routable,
    usable,
  });

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
    backends: checked.map((check) => toReport(check, toolCountOf(check))),
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

function toReport(check: BackendHealthEvent, toolCount: number): BackendHealthReport {
  return {
    name: check.name,
    url: check.url,
    status: check.status,
    toolCount: toSafeCount(toolCount),
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
