import type { BackendHealthEvent, BackendHealthStatus, ErrorCategory } from '../types.js';
import { redactUrl } from '../redact-url.js';
import { toSafeCount } from '../safe-count.js';
import { checkNumber } from '../validate.js';
import { hasCredentials, type BackendConfig } from './backend-config.js';
import { callFailureOf, type CallOutcome } from './call-outcome.js';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { scrubErrorDetail } from './probe-error-detail.js';
import type { ProbeResult } from './prober.js';

/** Options of {@link BackendHealthTracker}. */
export interface HealthTrackerOptions {
  /** Consecutive failures before a backend is `unhealthy`. Defaults to 3. */
  readonly unhealthyThreshold?: number;
  /** A circuit breaker per backend; `undefined` (the default) means none. */
  readonly circuitBreaker?: CircuitBreakerOptions | undefined;
}

/** The defaults of {@link HealthTrackerOptions}. */
export const HEALTH_TRACKER_DEFAULTS = { unhealthyThreshold: 3 } as const;

/** One observation of a backend, from a probe or a real call. */
type Observation =
  | {
      readonly kind: 'success';
      readonly slow: boolean | undefined;
      readonly toolCount?: number | undefined;
    }
  | { readonly kind: 'unauthenticated'; readonly toolCount?: number | undefined }
  | {
      readonly kind: 'failure';
      readonly category: ErrorCategory;
      readonly detail?: string | undefined;
    };

/**
 * One backend's health across probes and real calls: the rules of the health model
 * (docs/embedding.md has them as a table). Pure: every method takes the time.
 *
 * - A success is `healthy`; a probe whose `ping` was slow makes it `degraded` until a
 *   probe is fast again (a call's success says nothing about speed). The first success
 *   after `unhealthy` is `degraded` (recovering), the next one `healthy`.
 * - 401/403 without configured credentials is `unauthenticated`, not a failure.
 * - A failure below `unhealthyThreshold` keeps the previous status (`unknown` when
 *   nothing conclusive came before) and says why in `errorCategory`; at the threshold,
 *   or when the circuit opens, the backend is `unhealthy`.
 * - The tool count is the last one a probe knew.
 */
export class BackendHealthTracker {
  readonly #backend: BackendConfig;
  readonly #threshold: number;
  readonly #breaker: CircuitBreaker | undefined;
  #last: BackendHealthEvent | undefined;
  #failures = 0;
  /** The last probe's ping was slow: the backend stays `degraded` until one is fast. */
  #slow = false;

  constructor(backend: BackendConfig, options: HealthTrackerOptions = {}) {
    this.#backend = backend;
    this.#threshold = checkNumber(
      'unhealthyThreshold',
      options.unhealthyThreshold ?? HEALTH_TRACKER_DEFAULTS.unhealthyThreshold,
      { min: 1, integer: true },
    );
    this.#breaker =
      options.circuitBreaker === undefined ? undefined : new CircuitBreaker(options.circuitBreaker);
  }

  /** The last event recorded. */
  get last(): BackendHealthEvent | undefined {
    return this.#last;
  }

  /** Whether a probe or call may go to the backend at `now` (false only while the circuit is open). */
  allowProbe(now: number): boolean {
    return this.#breaker?.allowProbe(now) ?? true;
  }

  /** Whether the circuit is open: the backend gets no traffic until its trial probe. */
  get circuitOpen(): boolean {
    return this.#breaker?.state === 'open';
  }

  /** When to probe next: after `intervalMs`, or once the open circuit allows, whichever is later. */
  nextProbeDelayMs(now: number, intervalMs: number): number {
    return Math.max(intervalMs, this.#breaker?.remainingOpenMs(now) ?? 0);
  }

  /**
   * Records one probe result and returns the backend's health event. A probe that
   * failed with `authentication_failed` counts as `unauthenticated` when the backend has
   * no credentials configured (clients bring their own), as a call's 401 does.
   */
  record(result: ProbeResult, now: number): BackendHealthEvent {
    const unauthenticated =
      result.outcome === 'unauthenticated' ||
      (result.outcome === 'failed' &&
        result.errorCategory === 'authentication_failed' &&
        !hasCredentials(this.#backend));
    const observation: Observation = unauthenticated
      ? { kind: 'unauthenticated', toolCount: result.toolCount }
      : result.outcome === 'failed'
        ? {
            kind: 'failure',
            category: result.errorCategory ?? 'health_check_failed',
            detail: result.errorDetail,
          }
        : { kind: 'success', slow: result.outcome === 'degraded', toolCount: result.toolCount };
    return this.#observe(observation, result.latencyMs, now);
  }

  /** Records how one real call to the backend ended and returns the backend's health event. */
  recordCall(outcome: CallOutcome, now: number): BackendHealthEvent {
    const failure = callFailureOf(outcome);
    const observation: Observation =
      failure === undefined
        ? { kind: 'success', slow: undefined }
        : failure.authRequired && !hasCredentials(this.#backend)
          ? { kind: 'unauthenticated' }
          : { kind: 'failure', category: failure.category };
    return this.#observe(observation, outcome.latencyMs, now);
  }

  #observe(
    observation: Observation,
    latencyMs: number | undefined,
    now: number,
  ): BackendHealthEvent {
    const previous = this.#last;
    let status: BackendHealthStatus;
    let toolCount = previous?.toolCount ?? 0;
    switch (observation.kind) {
      case 'failure':
        this.#failures++;
        this.#breaker?.recordFailure(now);
        status =
          this.#failures >= this.#threshold || this.#breaker?.state === 'open'
            ? 'unhealthy'
            : (previous?.status ?? 'unknown');
        break;
      case 'unauthenticated':
        this.#failures = 0;
        this.#breaker?.recordSuccess(now);
        status = 'unauthenticated';
        toolCount = observation.toolCount ?? 0;
        break;
      case 'success':
        this.#failures = 0;
        this.#breaker?.recordSuccess(now);
        if (observation.slow !== undefined) this.#slow = observation.slow;
        toolCount = observation.toolCount ?? toolCount;
        status = previous?.status === 'unhealthy' || this.#slow ? 'degraded' : 'healthy';
        break;
    }
    const failed = observation.kind === 'failure';
    const event: BackendHealthEvent = {
      name: this.#backend.name,
      url: redactUrl(this.#backend.url),
      status,
      // A buggy prober's NaN or -1 must not reach a status field.
      toolCount: toSafeCount(toolCount),
      consecutiveFailures: this.#failures,
      errorCategory: failed ? observation.category : undefined,
      ...(this.#breaker === undefined
        ? {}
        : {
            circuitBreakerState: this.#breaker.state,
            circuitLastChanged: this.#breaker.lastChanged,
          }),
      latencyMs,
      checkedAt: new Date(now),
      errorDetail:
        failed && observation.detail !== undefined
          ? scrubErrorDetail(observation.detail)
          : undefined,
    };
    this.#last = event;
    return event;
  }
}
