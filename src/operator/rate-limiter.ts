import { checkNumber } from '../validate.js';

/** Options of {@link ItemExponentialRateLimiter}. */
export interface RateLimiterOptions {
  /** The first retry's delay. Defaults to 5 ms (client-go's default). */
  readonly baseDelayMs?: number;
  /** The longest delay. Defaults to 1000 s (client-go's default). */
  readonly maxDelayMs?: number;
}

/**
 * Per-item exponential backoff, as client-go's `ItemExponentialFailureRateLimiter`:
 * the n-th consecutive failure of a key waits `base × 2^(n-1)`, capped at `max`;
 * {@link forget} after a success starts the key over. No jitter: one key's retries
 * are already serialized by the queue. Pure apart from its per-key counters.
 */
export class ItemExponentialRateLimiter<K> {
  readonly #failures = new Map<K, number>();
  readonly #base: number;
  readonly #max: number;

  constructor(options: RateLimiterOptions = {}) {
    this.#base = checkNumber('baseDelayMs', options.baseDelayMs ?? 5, { min: 0 });
    this.#max = checkNumber('maxDelayMs', options.maxDelayMs ?? 1_000_000, { min: this.#base });
  }

  /** Records one more failure of `key` and returns how long to wait before retrying it. */
  when(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after the cap: Math.min keeps it finite.
    return Math.min(this.#max, this.#base * 2 ** failures);
  }

  /** How many times `key` failed in a row. */
  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** `key` succeeded: its next failure waits the base delay again. */
  forget(key: K): void {
    this.#failures.delete(key);
  }
}
