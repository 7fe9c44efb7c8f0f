import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { Logger } from '../logger.js';
import { backendConfigChanged, type BackendConfig } from '../runtime/backend-config.js';
import type { BackendHealthModel } from '../runtime/backend-health-model.js';
import type { BackendHealthStatus } from '../types.js';
import type { AggregationConfig } from '../config/aggregation-config.js';
import { BackendSession } from './backend-session.js';
import { Catalogue, type BackendOffer, type ListKind } from './catalogue.js';

/** Options of {@link BackendPool}. */
export interface BackendPoolOptions {
  readonly health: BackendHealthModel;
  readonly aggregation: AggregationConfig;
  /** One backend call's deadline. */
  readonly callTimeoutMs: number;
  /** The root logger: sessions bind their own `component`. */
  readonly logger: Logger;
  /** Told which lists changed each time the catalogue changes. */
  readonly onListsChanged?: (kinds: readonly ListKind[]) => void;
  /** Told when a backend says a resource changed. */
  readonly onResourceUpdated?: (uri: string) => void;
}

/** Health states whose backends are served: they answer. */
export function isServed(status: BackendHealthStatus | undefined): boolean {
  return status === 'healthy' || status === 'degraded';
}

/**
 * The vMCP's backends: one {@link BackendSession} each, what each offers, and the
 * {@link Catalogue} built from the servable ones. A backend leaves the catalogue when
 * its health says it does not answer (`unhealthy`, `unknown`, `unauthenticated`) and
 * comes back, listed again, when it answers; each change of what is served goes out as
 * a new catalogue, with the lists it changed.
 */
export class BackendPool {
  readonly #options: BackendPoolOptions;
  readonly #sessions = new Map<string, { config: BackendConfig; session: BackendSession }>();
  readonly #offers = new Map<string, BackendOffer>();
  readonly #served = new Map<string, boolean>();
  readonly #catalogue: BehaviorSubject<Catalogue>;
  readonly #health: Subscription;
  readonly #logger: Logger;

  constructor(options: BackendPoolOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'catalogue' });
    this.#catalogue = new BehaviorSubject(this.#build());
    this.#health = options.health.events$.subscribe((event) => {
      const served = isServed(event.status);
      if (this.#served.get(event.name) === served) return;
      this.#served.set(event.name, served);
      const entry = this.#sessions.get(event.name);
      // A backend that comes back is listed again: what it offers may have changed.
      if (served && entry !== undefined && !this.#offers.has(event.name)) {
        entry.session.relist().catch(() => undefined);
      }
      this.#rebuild();
    });
  }

  /** What is served now. */
  get catalogue(): Catalogue {
    return this.#catalogue.value;
  }

  /** Every catalogue, the current one first. */
  get catalogue$(): Observable<Catalogue> {
    return this.#catalogue.asObservable();
  }

  /** A backend's session, by name. */
  session(name: string): BackendSession | undefined {
    return this.#sessions.get(name)?.session;
  }

  /** The configured backends. A removed or changed backend's session is closed. */
  setBackends(backends: readonly BackendConfig[]): void {
    this.#options.health.setBackends(backends);
    const next = new Map(backends.map((b) => [b.name, b]));
    for (const [name, entry] of this.#sessions) {
      const config = next.get(name);
      if (config === undefined || backendConfigChanged(entry.config, config)) {
        void entry.session.close();
        this.#sessions.delete(name);
        this.#offers.delete(name);
        this.#served.delete(name);
      }
    }
    for (const [name, config] of next) {
      if (this.#sessions.has(name)) continue;
      this.#sessions.set(name, { config, session: this.#newSession(config) });
    }
    this.#rebuild();
  }

  /** Lists every backend once; settles when each listing succeeded or failed. */
  async discover(): Promise<void> {
    await Promise.allSettled([...this.#sessions.values()].map(({ session }) => session.relist()));
  }

  /** Closes every session. */
  async close(): Promise<void> {
    this.#health.unsubscribe();
    await Promise.all([...this.#sessions.values()].map(({ session }) => session.close()));
    this.#sessions.clear();
    this.#catalogue.complete();
  }

  #newSession(config: BackendConfig): BackendSession {
    return new BackendSession({
      backend: config,
      health: this.#options.health,
      callTimeoutMs: this.#options.callTimeoutMs,
      logger: this.#options.logger,
      onOffer: (offer) => {
        if (this.#sessions.get(config.name)?.config !== config) return; // replaced meanwhile
        this.#offers.set(config.name, offer);
        this.#rebuild();
      },
      onResourceUpdated: (uri) => {
        if (this.catalogue.resourceOwner(uri) === config.name)
          this.#options.onResourceUpdated?.(uri);
      },
    });
  }

  #build(): Catalogue {
    return new Catalogue(
      this.#offers,
      (name) => isServed(this.#options.health.health(name)?.status),
      this.#options.aggregation,
      [...this.#sessions.keys()],
    );
  }

  #rebuild(): void {
    const previous = this.#catalogue.value;
    const next = this.#build();
    for (const conflict of next.toolConflicts) {
      if (previous.toolConflicts.some((c) => c.name === conflict.name)) continue;
      const fields = { tool: conflict.name, backends: conflict.backends, reason: conflict.reason };
      if (conflict.winner === undefined)
        this.#logger.error(fields, 'tool name conflict: none served');
      else this.#logger.warn({ ...fields, winner: conflict.winner }, 'tool name conflict');
    }
    const changed = previous.changedLists(next);
    this.#catalogue.next(next);
    if (changed.length > 0) this.#options.onListsChanged?.(changed);
  }
}
