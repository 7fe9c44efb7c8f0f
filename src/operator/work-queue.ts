import { ItemExponentialRateLimiter, type RateLimiterOptions } from './rate-limiter.js';

/** Timer functions, injectable for tests. Default to the global ones. */
export interface QueueTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions extends RateLimiterOptions {
  readonly timers?: QueueTimers;
  /** Called with the number of keys waiting whenever it changes (a metrics gauge). */
  readonly onDepth?: (depth: number) => void;
}

const globalTimers: QueueTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/**
 * A work queue with client-go's guarantees:
 *
 * - **de-duplication**: a key added many times before a worker takes it is processed once;
 * - **one at a time per key**: a key added while it is being processed waits until
 *   {@link done}, then is queued once more, so no two workers ever hold the same key;
 * - **delays**: {@link addAfter} keeps the earliest pending time per key;
 * - **rate-limited requeue**: {@link addRateLimited} waits per-key exponential backoff
 *   ({@link ItemExponentialRateLimiter}), reset by {@link forget}.
 */
export class WorkQueue<K> {
  readonly #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #waiting = new Map<K, { at: number; handle: unknown }>();
  readonly #getters: Array<(key: K | undefined) => void> = [];
  readonly #limiter: ItemExponentialRateLimiter<K>;
  readonly #timers: QueueTimers;
  readonly #onDepth: ((depth: number) => void) | undefined;
  #shutDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#limiter = new ItemExponentialRateLimiter(options);
    this.#timers = options.timers ?? globalTimers;
    this.#onDepth = options.onDepth;
  }

  /** Keys waiting for a worker (not those being processed or delayed). */
  get length(): number {
    return this.#queue.length;
  }

  get shuttingDown(): boolean {
    return this.#shutDown;
  }

  /** Queues `key` unless it is already waiting; a key being processed is queued again when done. */
  add(key: K): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      getter(key);
      return;
    }
    this.#queue.push(key);
    this.#onDepth?.(this.#queue.length);
  }

  /** Adds `key` after `delayMs`; a pending earlier time for the key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shutDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#timers.now() + delayMs;
    const pending = this.#waiting.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      this.#timers.clearTimeout(pending.handle);
    }
    const handle = this.#timers.setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { at, handle });
  }

  /** Adds `key` after its rate limiter's backoff (exponential in its consecutive failures). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Resets `key`'s backoff (after a success or a terminal error). */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** Consecutive rate-limited requeues of `key`. */
  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /**
   * Takes the next key, waiting for one; `undefined` once shut down. The caller must
   * call {@link done} with it.
   */
  get(): Promise<K | undefined> {
    if (this.#shutDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      this.#onDepth?.(this.#queue.length);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** The worker finished `key`; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops handing out keys: waiting `get` calls resolve `undefined`; delayed adds are dropped. */
  shutDown(): void {
    this.#shutDown = true;
    for (const { handle } of this.#waiting.values()) this.#timers.clearTimeout(handle);
    this.#waiting.clear();
    for (const getter of this.#getters.splice(0)) getter(undefined);
  }
}
