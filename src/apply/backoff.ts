/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** First delay. Defaults to 500 ms. */
  readonly initialMs?: number;
  /** Cap. Defaults to 30 s. */
  readonly maxMs?: number;
}

/**
 * Delay before retry number `attempt` (0-based): exponential with full jitter, capped,
 * and never shorter than the server's `Retry-After`. Pure: `random` is injected.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  // Full jitter, but at least half the step so retries still spread out over time.
  const delay = ceiling / 2 + (ceiling / 2) * random();
  return Math.max(delay, retryAfterMs ?? 0);
}
