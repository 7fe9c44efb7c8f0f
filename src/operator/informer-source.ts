import { setTimeout as sleep } from 'node:timers/promises';
import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { classifyApplyError } from '../apply/apply-error.js';
import { backoffDelay, type BackoffOptions } from '../apply/backoff.js';
import type { Logger } from '../logger.js';

/** Options of {@link InformerSource}. */
export interface InformerSourceOptions<T extends KubernetesObject> {
  /** Names the source in logs: `VirtualMCPServer`, `Deployment`. */
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** The watch path (cluster-wide or one namespace). */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string | undefined;
  readonly logger: Logger;
  /** Restart pacing after the watch fails. Defaults to 1 s doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  readonly onAdd?: (object: T) => void;
  readonly onUpdate?: (object: T) => void;
  readonly onDelete?: (object: T) => void;
}

/**
 * A client-node informer (list, then watch from the list's resourceVersion; a cache of
 * every object) that keeps itself running: when the watch fails it starts again after
 * a backoff, relisting if its resourceVersion is too old (410 Gone). The first
 * {@link start} fails instead, so a missing CRD or a refused permission stops the
 * operator at once with the reason.
 */
export class InformerSource<T extends KubernetesObject> {
  readonly #informer: Informer<T> & ObjectCache<T>;
  readonly #logger: Logger;
  #attempt = 0;
  #errors = 0;
  #restart: NodeJS.Timeout | undefined;
  #starting: { errors: unknown[] } | undefined;
  #stopped = false;
  readonly #backoff: BackoffOptions;

  constructor(private readonly options: InformerSourceOptions<T>) {
    this.#logger = options.logger.child({ source: options.name });
    this.#backoff = {
      initialMs: options.backoff?.initialMs ?? 1000,
      maxMs: options.backoff?.maxMs ?? 30_000,
    };
    this.#informer = makeInformer(
      options.kubeConfig,
      options.path,
      options.list,
      options.labelSelector,
    );
    if (options.onAdd) this.#informer.on('add', options.onAdd);
    if (options.onUpdate) this.#informer.on('update', options.onUpdate);
    if (options.onDelete) this.#informer.on('delete', options.onDelete);
    this.#informer.on('error', (err: unknown) => {
      this.#onError(err);
    });
  }

  /**
   * Lists, fills the cache and starts watching. A first list that fails for good (404:
   * no such resource, 403: RBAC) rejects; one the apiserver may soon answer (429 while
   * a new CRD's storage initializes, 5xx, no connection) is retried with backoff.
   */
  async start(): Promise<void> {
    this.#stopped = false;
    for (let attempt = 0; ; attempt++) {
      const starting = { errors: [] as unknown[] };
      this.#starting = starting;
      await this.#informer.start();
      this.#starting = undefined;
      const [err] = starting.errors;
      if (err === undefined) return;
      await this.#informer.stop();
      const failure = classifyApplyError(err);
      if (failure.kind !== 'retriable' || this.#isStopped()) throw err as Error;
      const delay = backoffDelay(attempt, this.#backoff, failure.retryAfterMs);
      this.#logger.info(
        { reason: failure.summary, retryInMs: Math.round(delay) },
        'first list failed: retrying',
      );
      await sleep(delay);
      if (this.#isStopped()) {
        throw new Error(`${this.options.name} informer stopped while starting`);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restart);
    await this.#informer.stop();
  }

  /** The cached object, if any. */
  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  /** Every cached object (of one namespace, if given). */
  list(namespace?: string): readonly T[] {
    return this.#informer.list(namespace);
  }

  /** A method, not the field: stop() may run while start() awaits. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  #onError(err: unknown): void {
    if (this.#starting !== undefined) {
      this.#starting.errors.push(err);
      return;
    }
    this.#errors++;
    if (this.#stopped) return;
    const delay = backoffDelay(this.#attempt++, this.#backoff);
    this.#logger.warn(
      { err: summarize(err), retryInMs: Math.round(delay) },
      'watch failed: restarting it',
    );
    clearTimeout(this.#restart);
    this.#restart = setTimeout(() => {
      if (this.#stopped) return;
      const errors = this.#errors;
      this.#informer.start().then(
        () => {
          // start() resolves after a failed list too (the error callback ran).
          if (this.#errors === errors) {
            this.#attempt = 0;
            this.#logger.info('watch running again');
          }
        },
        (e: unknown) => {
          this.#onError(e);
        },
      );
    }, delay);
    this.#restart.unref();
  }
}

function summarize(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
