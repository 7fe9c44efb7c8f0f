/**
 * A token bucket: `burst` tokens, one more every `refillMs`. Bounds how often
 * something may happen however fast it is asked to. Clock injected.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes a token when there is one. */
  take(): boolean {
    const now = this.now();
    const refilled = Math.floor((now - this.#last) / this.refillMs);
    if (refilled > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + refilled);
      this.#last = this.#tokens === this.burst ? now : this.#last + refilled * this.refillMs;
    }
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }
}
