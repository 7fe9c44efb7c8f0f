import type { CircuitBreakerState } from '../types.js';
import { checkNumber } from '../validate.js';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Defaults to 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial probe (half-open). Defaults to 60 000 ms. */
  readonly openTimeoutMs?: number;
}

/** The defaults of {@link CircuitBreakerOptions}. */
export const CIRCUIT_BREAKER_DEFAULTS = { failureThreshold: 5, openTimeoutMs: 60_000 } as const;

/**
 * One backend's circuit breaker. Pure: every method takes the time, nothing reads a clock.
 *
 * ```
 * closed ──failureThreshold failures in a row──▶ open ──openTimeoutMs──▶ half-open
 *   ▲                                             ▲                        │
 *   └───────────── trial probe succeeds ──────────┼────────────────────────┤
 *                                                 └── trial probe fails ───┘
 * ```
 *
 * While open the backend is not probed at all.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly openTimeoutMs: number;
  #state: CircuitBreakerState = 'closed';
  #failures = 0;
  #lastChanged: Date | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = checkNumber(
      'circuitBreaker.failureThreshold',
      options.failureThreshold ?? CIRCUIT_BREAKER_DEFAULTS.failureThreshold,
      { min: 1, integer: true },
    );
    this.openTimeoutMs = checkNumber(
      'circuitBreaker.openTimeoutMs',
      options.openTimeoutMs ?? CIRCUIT_BREAKER_DEFAULTS.openTimeoutMs,
    );
  }

  get state(): CircuitBreakerState {
    return this.#state;
  }

  /** When the state last changed; undefined while it never left `closed`. */
  get lastChanged(): Date | undefined {
    return this.#lastChanged;
  }

  /**
   * Whether a probe may run at `now`. An open circuit whose timeout has passed turns
   * half-open and allows one trial probe.
   */
  allowProbe(now: number): boolean {
    if (this.#state === 'open') {
      if (now - (this.#lastChanged?.getTime() ?? now) < this.openTimeoutMs) return false;
      this.#transition('half-open', now);
    }
    return true;
  }

  /** Milliseconds until an open circuit allows its trial probe; 0 when not open. */
  remainingOpenMs(now: number): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, (this.#lastChanged?.getTime() ?? now) + this.openTimeoutMs - now);
  }

  recordSuccess(now: number): void {
    this.#failures = 0;
    if (this.#state !== 'closed') this.#transition('closed', now);
  }

  recordFailure(now: number): void {
    this.#failures++;
    if (this.#state === 'half-open') this.#transition('open', now);
    else if (this.#state === 'closed' && this.#failures >= this.failureThreshold) {
      this.#transition('open', now);
    }
  }

  #transition(state: CircuitBreakerState, now: number): void {
    this.#state = state;
    this.#lastChanged = new Date(now);
  }
}
