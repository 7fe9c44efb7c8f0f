/**
 * The vocabulary every part of vmcp-status shares: what a backend's health looks like,
 * and the status a vMCP runtime reports about itself.
 *
 * @packageDocumentation
 */

/** The vMCP's overall phase, as `kubectl get vmcpst` shows it. */
export type Phase = 'Pending' | 'Ready' | 'Degraded' | 'Failed';

/** Every phase, in the order the CRD's enum lists them. */
export const PHASES: readonly Phase[] = ['Pending', 'Ready', 'Degraded', 'Failed'];

/**
 * One backend's health as the runtime sees it.
 *
 * - `healthy`: answers in time; routable.
 * - `degraded`: answers, but slowly or while recovering; usable, not routable.
 * - `unhealthy`: failed `unhealthyThreshold` probes in a row.
 * - `unauthenticated`: answers 401/403 and no credentials are configured; routable,
 *   because clients bring their own credentials.
 * - `unknown`: checked, but not yet conclusive (a first failure below the threshold).
 */
export type BackendHealthStatus =
  'healthy' | 'degraded' | 'unhealthy' | 'unauthenticated' | 'unknown';

/** Every backend health status. */
export const BACKEND_HEALTH_STATUSES: readonly BackendHealthStatus[] = [
  'healthy',
  'degraded',
  'unhealthy',
  'unauthenticated',
  'unknown',
];

/**
 * Why a probe failed, from a fixed set: this is what reaches status fields and info
 * logs. Raw error text never does (it may carry hostnames, tokens or stack traces).
 */
export type ErrorCategory =
  | 'timeout'
  | 'connection_failed'
  | 'authentication_failed'
  | 'protocol_error'
  | 'backend_unavailable'
  | 'health_check_failed';

/** Every error category. */
export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  'timeout',
  'connection_failed',
  'authentication_failed',
  'protocol_error',
  'backend_unavailable',
  'health_check_failed',
];

/** A backend's circuit breaker: `open` means it is not probed until the open timeout ends. */
export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

/**
 * One probe's outcome for one backend: the input of the reactive pipeline.
 *
 * `checkedAt`, `latencyMs` and `errorDetail` are volatile: they change on every probe
 * and never cause a report on their own.
 */
export interface BackendHealthEvent {
  readonly name: string;
  readonly url?: string | undefined;
  readonly status: BackendHealthStatus;
  readonly toolCount: number;
  readonly consecutiveFailures: number;
  readonly errorCategory?: ErrorCategory | undefined;
  readonly circuitBreakerState?: CircuitBreakerState | undefined;
  readonly circuitLastChanged?: Date | undefined;
  readonly latencyMs?: number | undefined;
  readonly checkedAt: Date;
  /** Raw error text, for debug logs only. Never written to a status field. */
  readonly errorDetail?: string | undefined;
}

/** One backend as it appears in a {@link RuntimeStatus}. */
export interface BackendHealthReport {
  readonly name: string;
  readonly url?: string | undefined;
  readonly status: BackendHealthStatus;
  readonly toolCount: number;
  readonly consecutiveFailures: number;
  /** Sanitized: one of {@link ErrorCategory}, never raw text. */
  readonly errorCategory?: ErrorCategory | undefined;
  readonly circuitBreakerState?: CircuitBreakerState | undefined;
  readonly circuitLastChanged?: Date | undefined;
  /** Volatile: not part of change detection. */
  readonly lastHealthCheck?: Date | undefined;
  /** Raw error text, for debug logs only. Never written to a status field. */
  readonly errorDetail?: string | undefined;
}

/** A `metav1.Condition`-shaped condition. */
export interface Condition {
  /** PascalCase, e.g. `Ready`. */
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  /** PascalCase, e.g. `AllBackendsRoutable`. */
  readonly reason: string;
  /** Short and human; never raw error text. */
  readonly message: string;
  /** Moves only when `status` changes (apimachinery's SetStatusCondition rule). */
  readonly lastTransitionTime: Date;
  readonly observedGeneration?: number | undefined;
}

/** What the vMCP runtime reports about itself. */
export interface RuntimeStatus {
  readonly phase: Phase;
  readonly message: string;
  /** Every backend checked at least once, sorted by name. */
  readonly backends: readonly BackendHealthReport[];
  /** Tools a client can reach: the sum over usable (routable or degraded) backends. */
  readonly totalToolCount: number;
  readonly healthyBackends: number;
  readonly unhealthyBackends: number;
  /** Routable backends: healthy + unauthenticated. */
  readonly backendCount: number;
  /** When the set of backends or any tool count last changed. */
  readonly lastDiscoveryTime?: Date | undefined;
  /** `Ready`, `BackendsDiscovered` and, while a backend is degraded, `Degraded`. */
  readonly conditions: readonly Condition[];
}
