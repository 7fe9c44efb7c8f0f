import type { BackendHealthEvent, BackendHealthStatus } from '../types.js';
import { redactUrl } from '../redact-url.js';
import { toSafeCount } from '../safe-count.js';
import { checkNumber } from '../validate.js';
import type { BackendConfig } from './backend-config.js';
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

/**
 * One backend's health across probes: turns probe results into health events. Pure:
 * every method takes the time.
 *
 * - A success is `healthy`, or `degraded` when slow; the first success after being
 *   `unhealthy` is `degraded` too (recovering), the next one `healthy`.
 * - 401/403 without configured credentials is `unauthenticated`, not a failure.
 * - A failure below `unhealthyThreshold` keeps the previous status (`unknown` before
 *   any conclusive result) and says why in `errorCategory`; at the threshold, or
 *   when the circuit opens, the backend is `unhealthy`.
 * - The tool count is the last one known.
 */
export class BackendHealthTracker {
  readonly #backend: BackendConfig;
  readonly #threshold: number;
  readonly #breaker: CircuitBreaker | undefined;
  #last: BackendHealthEvent | undefined;
  #failures = 0;

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

  /** Whether a probe may run at `now` (false only while the circuit is open). */
  allowProbe(now: number): boolean {
    return this.#breaker?.allowProbe(now) ?? true;
  }

  /** When to probe next: after `intervalMs`, or once the open circuit allows, whichever is later. */
  nextProbeDelayMs(now: number, intervalMs: number): number {
    return Math.max(intervalMs, this.#breaker?.remainingOpenMs(now) ?? 0);
  }

  /** Records one probe result and returns the backend's health event. */
  record(result: ProbeResult, now: number): BackendHealthEvent {
    const previous = this.#last;
    let status: BackendHealthStatus;
    let toolCount = result.toolCount ?? previous?.toolCount ?? 0;
    if (result.outcome === 'failed') {
      this.#failures++;
      this.#breaker?.recordFailure(now);
      status =
        this.#failures >= this.#threshold || this.#breaker?.state === 'open'
          ? 'unhealthy'
          : (previous?.status ?? 'unknown');
    } else {
      this.#failures = 0;
      this.#breaker?.recordSuccess(now);
      if (result.outcome === 'unauthenticated') {
        status = 'unauthenticated';
        toolCount = result.toolCount ?? 0;
      } else {
        status = previous?.status === 'unhealthy' ? 'degraded' : result.outcome;
      }
    }
    const failed = result.outcome === 'failed';
    const event: BackendHealthEvent = {
      name: this.#backend.name,
      url: redactUrl(this.#backend.url),
      status,
      // A buggy prober's NaN or -1 must not reach a status field.
      toolCount: toSafeCount(toolCount),
      consecutiveFailures: this.#failures,
      errorCategory: failed ? (result.errorCategory ?? 'health_check_failed') : undefined,
      ...(this.#breaker === undefined
        ? {}
        : {
            circuitBreakerState: this.#breaker.state,
            circuitLastChanged: this.#breaker.lastChanged,
          }),
      latencyMs: result.latencyMs,
      checkedAt: new Date(now),
      errorDetail:
        failed && result.errorDetail !== undefined
          ? scrubErrorDetail(result.errorDetail)
          : undefined,
    };
    this.#last = event;
    return event;
  }
}
