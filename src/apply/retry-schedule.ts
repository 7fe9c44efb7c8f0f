import { backoffDelay, type BackoffOptions } from './backoff.js';

/** Options of {@link RetrySchedule}. */
export interface RetryScheduleOptions {
  /** Pacing after retriable failures. */
  readonly backoff?: BackoffOptions | undefined;
  /** Runs when a retry is due (the reporter writes its latest status). */
  readonly onDue: () => void;
  readonly now: () => number;
}

/**
 * When the reporter tries again: one timer for every reason (a failed write's backoff,
 * a refused write's next interval, the end of another replica's Lease term).
 *
 * While the backoff of a retriable failure runs (never shorter than the server's
 * `Retry-After`), no write goes out at all: new statuses wait for the retry, which
 * writes the newest. So a throttled or unreachable apiserver sees one request per
 * backoff step however many statuses arrive meanwhile, as client-go honours
 * `Retry-After` before sending again.
 */
export class RetrySchedule {
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #quietUntil = 0;
  #stopped = false;

  constructor(private readonly options: RetryScheduleOptions) {}

  /** A retriable failure: waits the next backoff step (at least `retryAfterMs`); returns it. */
  backOff(retryAfterMs?: number): number {
    const delay = backoffDelay(this.#attempt++, this.options.backoff, retryAfterMs);
    this.#quietUntil = this.options.now() + delay;
    this.after(delay);
    return delay;
  }

  /**
   * Whether writes must wait for the running backoff; when they must, a retry stays
   * scheduled for its end (another reason may have taken the timer meanwhile).
   */
  get backingOff(): boolean {
    const remaining = this.#quietUntil - this.options.now();
    if (remaining <= 0) return false;
    if (this.#timer === undefined) this.after(remaining);
    return true;
  }

  /** Retries after `delayMs`, replacing whatever retry was scheduled. */
  after(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.options.onDue();
    }, delayMs);
    this.#timer.unref();
  }

  /** A write went through: the backoff starts from its first step again. */
  succeeded(): void {
    this.#attempt = 0;
    this.#quietUntil = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  start(): void {
    this.#stopped = false;
  }

  /** No retry runs after this (until {@link start}). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
