import { createLogger, type Logger } from '../logger.js';
import { checkNumber } from '../validate.js';
import type { RateLimiterOptions } from './rate-limiter.js';
import {
  TerminalError,
  requestKey,
  requestOf,
  type Reconciler,
  type Request,
} from './reconcile.js';
import { WorkQueue, type QueueTimers } from './work-queue.js';

/** How one reconcile ended: the `result` label of the reconcile metric. */
export type ReconcileResult = 'success' | 'requeue_after' | 'error' | 'terminal_error';

/** Every reconcile result, for metrics pre-created at 0. */
export const RECONCILE_RESULTS: readonly ReconcileResult[] = [
  'success',
  'requeue_after',
  'error',
  'terminal_error',
];

/** Options of {@link Controller}. */
export interface ControllerOptions extends RateLimiterOptions {
  /** Names the controller in logs. */
  readonly name: string;
  readonly reconciler: Reconciler;
  /** Reconciles running at once (never two for one key). Defaults to 1. */
  readonly concurrency?: number;
  readonly logger?: Logger;
  /** Called after every reconcile. */
  readonly onReconcile?: (result: ReconcileResult, request: Request, seconds: number) => void;
  /** Called with the queue depth when it changes. */
  readonly onQueueDepth?: (depth: number) => void;
  readonly timers?: QueueTimers;
}

/**
 * The engine, after controller-runtime's `pkg/internal/controller`: keys go into a
 * {@link WorkQueue}; workers take one at a time and reconcile it. A success forgets
 * the key's backoff (and honours `requeueAfterMs`); an error requeues it with
 * per-key exponential backoff (5 ms doubling to 1000 s by default); a
 * {@link TerminalError} is logged and not retried.
 */
export class Controller {
  readonly #queue: WorkQueue<string>;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #abort = new AbortController();
  readonly #workers: Array<Promise<void>> = [];
  readonly #counts = new Map<ReconcileResult, number>(RECONCILE_RESULTS.map((r) => [r, 0]));

  constructor(private readonly options: ControllerOptions) {
    this.#concurrency = checkNumber('concurrency', options.concurrency ?? 1, {
      min: 1,
      integer: true,
    });
    this.#logger = (options.logger ?? createLogger()).child({
      component: 'controller',
      controller: options.name,
    });
    this.#queue = new WorkQueue<string>({
      ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
      ...(options.maxDelayMs !== undefined ? { maxDelayMs: options.maxDelayMs } : {}),
      ...(options.timers !== undefined ? { timers: options.timers } : {}),
      ...(options.onQueueDepth !== undefined ? { onDepth: options.onQueueDepth } : {}),
    });
  }

  /** Reconciles so far, by result. */
  get reconciles(): ReadonlyMap<ReconcileResult, number> {
    return this.#counts;
  }

  /** Total reconciles so far. */
  get reconcileCount(): number {
    let total = 0;
    for (const count of this.#counts.values()) total += count;
    return total;
  }

  /** Asks for a reconcile of `request` (de-duplicated with any pending one). */
  enqueue(request: Request): void {
    this.#queue.add(requestKey(request));
  }

  /** Starts the workers. */
  start(): void {
    if (this.#workers.length > 0) return;
    for (let i = 0; i < this.#concurrency; i++) this.#workers.push(this.#work());
  }

  /** Stops taking keys, aborts the running reconciles' signal and waits for them to end. */
  async stop(): Promise<void> {
    this.#queue.shutDown();
    this.#abort.abort();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try {
        await this.#reconcile(key);
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #reconcile(key: string): Promise<void> {
    const request = requestOf(key);
    const started = performance.now();
    let result: ReconcileResult;
    try {
      const outcome = await this.options.reconciler.reconcile(request, this.#abort.signal);
      this.#queue.forget(key);
      if (outcome.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
        this.#queue.addAfter(key, outcome.requeueAfterMs);
        result = 'requeue_after';
      } else {
        result = 'success';
      }
    } catch (err) {
      if (err instanceof TerminalError) {
        this.#queue.forget(key);
        this.#logger.error(
          { err, namespace: request.namespace, name: request.name },
          'reconcile failed: not retried until the object changes',
        );
        result = 'terminal_error';
      } else {
        this.#queue.addRateLimited(key);
        this.#logger.warn(
          {
            err,
            namespace: request.namespace,
            name: request.name,
            retries: this.#queue.numRequeues(key),
          },
          'reconcile failed: retrying with backoff',
        );
        result = 'error';
      }
    }
    this.#counts.set(result, (this.#counts.get(result) ?? 0) + 1);
    this.options.onReconcile?.(result, request, (performance.now() - started) / 1000);
  }
}
