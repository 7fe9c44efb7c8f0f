import type { ClientSession } from './client-session.js';
import type { ListKind } from './catalogue.js';

/** Options of {@link SessionRegistry}. */
export interface SessionRegistryOptions {
  /** Sessions open at once; an `initialize` beyond is refused (HTTP 503). */
  readonly maxSessions: number;
  /** A session without a request for this long is closed. */
  readonly idleTimeoutMs: number;
  /** The clock, in ms since the epoch. */
  readonly now: () => number;
}

/**
 * The clients' sessions by id: bounded in number and in idle time, so a flood of
 * idle sessions costs a bounded amount of memory, and told together when what the
 * vMCP serves changed.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, ClientSession>();
  readonly #options: SessionRegistryOptions;

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Whether a new session may open. */
  get full(): boolean {
    return this.#sessions.size >= this.#options.maxSessions;
  }

  /** A session by id, marked active now; `undefined` when unknown, expired or closed. */
  touch(id: string): ClientSession | undefined {
    const session = this.#sessions.get(id);
    if (session !== undefined) session.state.lastActivity = this.#options.now();
    return session;
  }

  add(id: string, session: ClientSession): void {
    this.#sessions.set(id, session);
  }

  remove(id: string): void {
    this.#sessions.delete(id);
  }

  /** Every session's state, for counting subscriptions. */
  *states(): Iterable<ClientSession['state']> {
    for (const session of this.#sessions.values()) yield session.state;
  }

  /** Closes sessions idle for longer than the timeout; returns how many. */
  async closeIdle(): Promise<number> {
    const cutoff = this.#options.now() - this.#options.idleTimeoutMs;
    const idle = [...this.#sessions].filter(([, s]) => s.state.lastActivity < cutoff);
    for (const [id] of idle) this.#sessions.delete(id);
    await Promise.all(idle.map(([, s]) => s.transport.close().catch(() => undefined)));
    return idle.length;
  }

  /** Tells every session that these lists changed (`notifications/*\/list_changed`). */
  async listsChanged(kinds: readonly ListKind[]): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()].map(async ({ server }) => {
        for (const kind of kinds) {
          const send =
            kind === 'tools'
              ? server.sendToolListChanged()
              : kind === 'resources'
                ? server.sendResourceListChanged()
                : server.sendPromptListChanged();
          await send.catch(() => undefined);
        }
      }),
    );
  }

  /** Tells the sessions subscribed to `uri` that it changed. */
  async resourceUpdated(uri: string): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()]
        .filter(({ state }) => state.subscriptions.has(uri))
        .map(({ server }) => server.sendResourceUpdated({ uri }).catch(() => undefined)),
    );
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(all.map((s) => s.transport.close().catch(() => undefined)));
  }
}
