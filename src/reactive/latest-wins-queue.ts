import PQueue from 'p-queue';

/** What became of one value pushed into a {@link LatestWinsQueue} that a newer one replaced. */
export const CONFLATED = 'conflated' as const;

/**
 * One write at a time, latest wins: while a write is in flight only the newest
 * pending value is kept, so memory stays bounded (one in flight, one waiting) however
 * fast values arrive. A replaced value resolves as {@link CONFLATED}.
 *
 * Built on p-queue with concurrency 1; the queue never holds more than one task that
 * has not started, and that task writes whatever value is newest when it runs.
 */
export class LatestWinsQueue<T, R> {
  readonly #queue = new PQueue({ concurrency: 1 });
  #waiting:
    | {
        value: T;
        settle: Array<{ resolve: (r: R | typeof CONFLATED) => void; reject: (e: unknown) => void }>;
      }
    | undefined;

  constructor(private readonly write: (value: T) => Promise<R>) {}

  /** Resolves with the write's result, or {@link CONFLATED} when a newer value took its place. */
  push(value: T): Promise<R | typeof CONFLATED> {
    return new Promise((resolve, reject) => {
      if (this.#waiting !== undefined) {
        for (const waiter of this.#waiting.settle) waiter.resolve(CONFLATED);
        this.#waiting = { value, settle: [{ resolve, reject }] };
        return;
      }
      this.#waiting = { value, settle: [{ resolve, reject }] };
      void this.#queue.add(async () => {
        const job = this.#waiting;
        this.#waiting = undefined;
        if (job === undefined) return;
        try {
          const result = await this.write(job.value);
          for (const waiter of job.settle) waiter.resolve(result);
        } catch (err) {
          for (const waiter of job.settle) waiter.reject(err);
        }
      });
    });
  }

  /** The value waiting for the write in flight to finish, if any. */
  get waiting(): T | undefined {
    return this.#waiting?.value;
  }

  /** Values waiting (0 or 1) plus writes in flight (0 or 1). */
  get size(): number {
    return this.#queue.size + this.#queue.pending;
  }

  /** Resolves when nothing is waiting or in flight. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }
}
