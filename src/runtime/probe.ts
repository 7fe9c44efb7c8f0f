import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ObservableInput } from 'rxjs';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import type { ErrorCategory } from '../types.js';
import { checkNumber } from '../validate.js';
import { hasCredentials, type BackendConfig } from './backend-config.js';
import { ProbeTimeoutError, classifyProbeError } from './classify-probe-error.js';
import { packageVersion } from './package-version.js';

/** What one probe found. */
export type ProbeOutcome = 'healthy' | 'degraded' | 'unauthenticated' | 'failed';

/** The result of one probe. A probe never rejects for a backend's fault: it says `failed`. */
export interface ProbeResult {
  readonly outcome: ProbeOutcome;
  /** The backend's tool count, when known (listed now or earlier in the same session). */
  readonly toolCount?: number | undefined;
  /**
   * The backend's response time: the `ping` round trip (a new session's handshake
   * does not count). For a failure: how long until it failed.
   */
  readonly latencyMs: number;
  /** Why it failed; set only for `failed`. */
  readonly errorCategory?: ErrorCategory | undefined;
  /** Raw error text, for debug logs only. */
  readonly errorDetail?: string | undefined;
}

/**
 * Probes one backend, one probe at a time. The monitor's seam: tests pass their own.
 * `probe` may return a promise or an observable; aborting `signal` (or unsubscribing)
 * cancels the probe, whose result nobody wants any more.
 */
export interface Prober {
  probe(signal: AbortSignal): ObservableInput<ProbeResult>;
  /** Ends the session, if any. */
  close(): Promise<void>;
}

/** Options of {@link McpProber}. */
export interface ProbeOptions {
  /** The whole probe's deadline, handshake included. Defaults to 10 000 ms. */
  readonly timeoutMs?: number;
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
  timeoutMs: 10_000,
  degradedThresholdMs: 5_000,
  relistToolsEvery: 10,
} as const;

/** Pages of `tools/list` followed at most, against a backend that never ends its cursor. */
const MAX_TOOL_PAGES = 1_000;

interface Session {
  readonly client: Client;
  toolCount: number | undefined;
  toolsStale: boolean;
}

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
  #session: Session | undefined;
  #probesSinceList = 0;
  #running: Promise<void> = Promise.resolve();

  constructor(backend: BackendConfig, options: ProbeOptions = {}) {
    this.#backend = backend;
    this.#timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs, {
      min: 1,
    });
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
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    const transport = session.client.transport;
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
      await untilAborted(transport.terminateSession(), AbortSignal.timeout(1_000)).catch(
        () => undefined,
      );
    }
    await session.client.close().catch(() => undefined);
  }

  #failure(err: unknown, latencyMs: number): ProbeResult {
    const { category, authRequired, httpStatus } = classifyProbeError(err);
    const errorDetail = err instanceof Error ? err.message : String(err);
    this.#logger.debug({ err, errorCategory: category, httpStatus }, 'probe failed');
    if (authRequired && !hasCredentials(this.#backend)) {
      return { outcome: 'unauthenticated', latencyMs };
    }
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
    let session = this.#session;
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

  async #connect(options: RequestOptions): Promise<Session> {
    const kind = this.#backend.transport ?? 'auto';
    const kinds = kind === 'auto' ? (['streamable-http', 'sse'] as const) : [kind];
    let lastError: unknown;
    for (const attempt of kinds) {
      const client = new Client({ name: 'vmcp-status', version: packageVersion() });
      const session: Session = { client, toolCount: undefined, toolsStale: false };
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        session.toolsStale = true;
      });
      client.onerror = (err) => {
        this.#logger.debug({ err }, 'background session error');
      };
      client.onclose = () => {
        if (this.#session === session) this.#session = undefined;
      };
      // A connect that hangs below the SDK's request timeout (an SSE stream that never
      // sends its endpoint) ends with the probe.
      const onAbort = (): void => {
        void client.close().catch(() => undefined);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await client.connect(this.#transport(attempt), options);
        options.signal?.throwIfAborted();
        if (client.getServerCapabilities()?.tools === undefined) session.toolCount = 0;
        return session;
      } catch (err) {
        if (options.signal?.aborted === true) throw options.signal.reason;
        await client.close().catch(() => undefined);
        lastError = err;
        const notStreamable =
          err instanceof StreamableHTTPError && [400, 404, 405].includes(err.code ?? 0);
        if (!(kind === 'auto' && attempt === 'streamable-http' && notStreamable)) throw err;
        this.#logger.debug({ httpStatus: err.code }, 'no Streamable HTTP; trying SSE');
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    }
    throw lastError;
  }

  // eslint-disable-next-line @typescript-eslint/no-deprecated -- for backends that only speak SSE
  #transport(kind: 'streamable-http' | 'sse'): StreamableHTTPClientTransport | SSEClientTransport {
    const url = new URL(this.#backend.url);
    const requestInit: RequestInit = { headers: { ...this.#backend.headers } };
    return kind === 'sse'
      ? // eslint-disable-next-line @typescript-eslint/no-deprecated -- for backends that only speak SSE
        new SSEClientTransport(url, { requestInit })
      : new StreamableHTTPClientTransport(url, { requestInit });
  }

  async #dropSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.client.close().catch(() => undefined);
  }
}

/** Counts tools over every page of `tools/list`. */
async function countTools(client: Client, options: RequestOptions): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, options);
    count += result.tools.length;
    cursor = result.nextCursor;
    if (cursor === undefined) return count;
    if (seen.has(cursor)) break;
    seen.add(cursor);
  }
  throw new McpError(ErrorCode.InvalidRequest, 'tools/list pagination does not end');
}

/** Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
