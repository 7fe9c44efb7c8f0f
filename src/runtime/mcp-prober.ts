import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import { checkNumber } from '../validate.js';
import type { BackendConfig } from './backend-config.js';
import { ProbeTimeoutError, classifyProbeError } from './classify-probe-error.js';
import { countTools } from './count-tools.js';
import { closeMcpSession, openMcpSession, type McpSession } from './mcp-session.js';
import { probeErrorDetail } from './probe-error-detail.js';
import type { ProbeResult, Prober } from './prober.js';
import { untilAborted } from './until-aborted.js';

/** Options of {@link McpProber}. */
export interface ProbeOptions {
  /** The whole probe's deadline, handshake included. Defaults to 10 000 ms. */
  readonly probeTimeoutMs?: number;
  /** A successful probe whose `ping` takes longer is `degraded`. Defaults to 5 000 ms. */
  readonly degradedThresholdMs?: number;
  /**
   * Tools are re-listed on `notifications/tools/list_changed`, on every new session,
   * and after this many probes without either. Defaults to 10.
   */
  readonly relistToolsEvery?: number;
  /** Raw error text goes here at debug level. Defaults to a silent logger. */
  readonly logger?: Logger;
  /** A monotonic clock in ms for latencies. Defaults to `performance.now`. */
  readonly now?: () => number;
}

/** The defaults of {@link ProbeOptions}. */
export const PROBE_DEFAULTS = {
  probeTimeoutMs: 10_000,
  degradedThresholdMs: 5_000,
  relistToolsEvery: 10,
} as const;

/**
 * Probes an MCP backend with `@modelcontextprotocol/sdk`: `initialize` (once per
 * session), `ping`, and `tools/list` following `nextCursor` to count tools.
 *
 * - The session is kept between probes: a reused session costs one `ping`. It is
 *   dropped after any failure, and a session the backend forgot (HTTP 404) is replaced
 *   within the same probe.
 * - Tools are listed on a new session, after `notifications/tools/list_changed`, and
 *   every `relistToolsEvery` probes.
 * - Streamable HTTP, falling back to SSE for backends that only speak it (`auto`).
 * - `degraded` when the `ping` round trip is slower than `degradedThresholdMs`: the
 *   handshake of a new session, which costs several round trips, does not count.
 * - `unauthenticated` when the backend answers 401/403 and no credentials are
 *   configured for it; with credentials that is a failure (`authentication_failed`).
 */
export class McpProber implements Prober {
  readonly #backend: BackendConfig;
  readonly #timeoutMs: number;
  readonly #degradedMs: number;
  readonly #relistEvery: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  #session: McpSession | undefined;
  #closed = false;
  #probesSinceList = 0;
  #running: Promise<void> = Promise.resolve();

  constructor(backend: BackendConfig, options: ProbeOptions = {}) {
    this.#backend = backend;
    this.#timeoutMs = checkNumber(
      'probeTimeoutMs',
      options.probeTimeoutMs ?? PROBE_DEFAULTS.probeTimeoutMs,
      {
        min: 1,
      },
    );
    this.#degradedMs = checkNumber(
      'degradedThresholdMs',
      options.degradedThresholdMs ?? PROBE_DEFAULTS.degradedThresholdMs,
    );
    this.#relistEvery = checkNumber(
      'relistToolsEvery',
      options.relistToolsEvery ?? PROBE_DEFAULTS.relistToolsEvery,
      { min: 1, integer: true },
    );
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'probe',
      backend: backend.name,
    });
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Probes once. Rejects only when `signal` aborts, with its reason. A probe called
   * while another is still winding down waits for it.
   */
  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    const previous = this.#running;
    let done = (): void => undefined;
    this.#running = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await previous;
      signal?.throwIfAborted();
      return await this.#probe(signal);
    } finally {
      done();
    }
  }

  async #probe(signal: AbortSignal | undefined): Promise<ProbeResult> {
    const started = this.#now();
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(new ProbeTimeoutError(this.#timeoutMs));
    }, this.#timeoutMs);
    const onAbort = (): void => {
      deadline.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { toolCount, latencyMs } = await untilAborted(
        this.#run(deadline.signal),
        deadline.signal,
      );
      return {
        outcome: latencyMs > this.#degradedMs ? 'degraded' : 'healthy',
        toolCount,
        latencyMs,
      };
    } catch (err) {
      await this.#dropSession();
      if (signal?.aborted === true) throw signal.reason;
      return this.#failure(err, this.#now() - started);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Ends the session (best effort, bounded by 1 s). */
  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) await closeMcpSession(session, true);
  }

  #failure(err: unknown, latencyMs: number): ProbeResult {
    const { category } = classifyProbeError(err);
    // Never the error itself: its text can hold the URL and the backend's own words.
    // (The monitor logs the failure, whichever prober made it.)
    const errorDetail = probeErrorDetail(err);
    // 401/403 is authentication_failed here; the health model tells an unauthenticated
    // backend (no credentials configured) from rejected credentials.
    return { outcome: 'failed', errorCategory: category, errorDetail, latencyMs };
  }

  /** One probe: the tool count and the `ping` round trip. */
  async #run(signal: AbortSignal): Promise<{ toolCount: number; latencyMs: number }> {
    const options: RequestOptions = { signal, timeout: this.#timeoutMs };
    const ping = async (client: Client): Promise<number> => {
      const sent = this.#now();
      await client.ping(options);
      return this.#now() - sent;
    };
    let latencyMs: number | undefined;
    let session: McpSession | undefined = this.#session;
    if (session !== undefined) {
      try {
        latencyMs = await ping(session.client);
      } catch (err) {
        if (!(err instanceof StreamableHTTPError && err.code === 404)) throw err;
        this.#logger.debug('session expired on the backend; starting a new one');
        await this.#dropSession();
        session = undefined;
      }
    }
    if (session === undefined) {
      session = await this.#connect(options);
      // Closed while the handshake ran (a cut-off probe's session is ended by
      // openMcpSession itself): the session is closed, not kept.
      if (this.#closed) {
        await closeMcpSession(session, true);
        throw new Error('prober closed');
      }
      this.#session = session;
      latencyMs = await ping(session.client);
    }
    this.#probesSinceList++;
    if (
      session.toolCount === undefined ||
      session.toolsStale ||
      this.#probesSinceList >= this.#relistEvery
    ) {
      session.toolsStale = false;
      session.toolCount = await countTools(session.client, options);
      this.#probesSinceList = 0;
    }
    return { toolCount: session.toolCount, latencyMs: latencyMs ?? 0 };
  }

  async #connect(options: RequestOptions): Promise<McpSession> {
    return openMcpSession(this.#backend, options, this.#logger, (session) => {
      if (this.#session === session) this.#session = undefined;
    });
  }

  async #dropSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) await closeMcpSession(session, false);
  }
}
