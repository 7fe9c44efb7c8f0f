import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { map, type Observable } from 'rxjs';
import { pino } from 'pino';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ServedCatalogue } from '../reactive/derive-runtime-status.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import { BackendHealthModel } from '../runtime/backend-health-model.js';
import { packageVersion } from '../runtime/package-version.js';
import { checkNumber } from '../validate.js';
import { aggregationProblems, type AggregationConfig } from '../config/aggregation-config.js';
import { BackendPool } from './backend-pool.js';
import type { Catalogue } from './catalogue.js';
import {
  backendSubscription,
  createSessionServer,
  type ClientSession,
  type ClientSessionState,
} from './client-session.js';
import { defaultAllowedHosts, hostCheckProblem } from './host-check.js';
import { unresolvedConflicts } from './resolve-tools.js';
import { readJsonBody } from './read-json-body.js';
import { SessionRegistry } from './session-registry.js';

/** Options of {@link VmcpServer.start}. */
export interface VmcpServerOptions {
  /** The backends to aggregate; {@link VmcpServer.setBackends} changes them later. */
  readonly backends: readonly BackendConfig[];
  /** Conflict resolution, filters and overrides (ToolHive's names). Defaults to `prefix`. */
  readonly aggregation?: AggregationConfig;
  /** Defaults to `127.0.0.1`; `0.0.0.0` to serve a cluster. */
  readonly host?: string;
  /** Defaults to 4483, ToolHive's; 0 picks a free port. */
  readonly port?: number;
  /** Defaults to `/mcp`. */
  readonly path?: string;
  /** The health model calls feed; give the one your status reporting uses. Defaults to a new one. */
  readonly health?: BackendHealthModel;
  /** One backend call's deadline. Defaults to 30 000 ms (ToolHive's `timeouts.default`). */
  readonly callTimeoutMs?: number;
  /** Client sessions open at once. Defaults to 1 000. */
  readonly maxSessions?: number;
  /** A client session idle this long is closed. Defaults to 1 800 000 ms (30 minutes). */
  readonly sessionIdleTimeoutMs?: number;
  /** The largest request body. Defaults to 4 MiB. */
  readonly maxBodyBytes?: number;
  /** DNS-rebinding protection: see `HostCheckOptions`. Defaults to the loopback names when bound to loopback. */
  readonly allowedHosts?: readonly string[];
  /** Origins browsers may call from. Defaults to none but the allowed hosts. */
  readonly allowedOrigins?: readonly string[];
  /** What `initialize` answers as the server. Defaults to `vmcp-status` and the package version. */
  readonly serverInfo?: { readonly name: string; readonly version: string };
  readonly logger?: Logger;
  /** The clock, in ms since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** The defaults of {@link VmcpServerOptions}. */
export const VMCP_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 4483,
  path: '/mcp',
  callTimeoutMs: 30_000,
  maxSessions: 1_000,
  sessionIdleTimeoutMs: 30 * 60_000,
  maxBodyBytes: 4 * 1024 * 1024,
} as const;

/**
 * A Virtual MCP Server: one MCP Streamable HTTP endpoint that serves the tools,
 * resources, resource templates and prompts of its backends, names resolved as
 * ToolHive resolves them, each request routed to the backend that owns it over one
 * MCP session per backend. What it serves follows its backends' health (the
 * {@link health} model its calls feed), and each change tells live sessions
 * (`notifications/*\/list_changed`); {@link served$} is what the status counts.
 *
 * Bounded for the clients it faces: request bodies (`maxBodyBytes`), sessions
 * (`maxSessions`, and closed after `sessionIdleTimeoutMs` idle), a deadline on every
 * backend call; malformed JSON-RPC is answered with a JSON-RPC error; an unknown
 * session id with 404; `Host` and `Origin` are checked against DNS rebinding.
 */
export class VmcpServer {
  readonly health: BackendHealthModel;
  readonly #pool: BackendPool;
  readonly #registry: SessionRegistry;
  readonly #http: Server;
  readonly #options: VmcpServerOptions;
  readonly #logger: Logger;
  readonly #path: string;
  readonly #sweep: NodeJS.Timeout;
  #url = '';
  #ready = false;

  private constructor(options: VmcpServerOptions) {
    this.#options = options;
    // Each component binds `component` once on the root logger (a child of a child
    // would write the key twice on one JSON line).
    const root = options.logger ?? pino({ level: 'silent' });
    this.#logger = root.child({ component: 'vmcp-server' });
    this.#path = options.path ?? VMCP_SERVER_DEFAULTS.path;
    const now = options.now ?? Date.now;
    this.health = options.health ?? new BackendHealthModel({ now, logger: root });
    const problems = aggregationProblems(
      options.aggregation ?? {},
      options.backends.map((b) => b.name),
    );
    if (problems.length > 0) throw problems[0] as ConfigError;
    this.#registry = new SessionRegistry({
      maxSessions: checkNumber(
        'maxSessions',
        options.maxSessions ?? VMCP_SERVER_DEFAULTS.maxSessions,
        {
          min: 1,
          integer: true,
        },
      ),
      idleTimeoutMs: checkNumber(
        'sessionIdleTimeoutMs',
        options.sessionIdleTimeoutMs ?? VMCP_SERVER_DEFAULTS.sessionIdleTimeoutMs,
        { min: 1 },
      ),
      now,
    });
    this.#pool = new BackendPool({
      health: this.health,
      aggregation: options.aggregation ?? {},
      callTimeoutMs: checkNumber(
        'callTimeoutMs',
        options.callTimeoutMs ?? VMCP_SERVER_DEFAULTS.callTimeoutMs,
        { min: 1 },
      ),
      logger: root,
      onListsChanged: (kinds) => {
        this.#logger.debug({ lists: kinds, sessions: this.#registry.size }, 'served lists changed');
        void this.#registry.listsChanged(kinds);
      },
      onResourceUpdated: (uri) => {
        void this.#registry.resourceUpdated(uri);
      },
    });
    this.#http = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.#logger.error({ err }, 'request failed');
        if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal error');
        else res.end();
      });
    });
    const idle = this.#registry;
    this.#sweep = setInterval(
      () => {
        void idle.closeIdle();
      },
      Math.min(
        60_000,
        Math.max(
          1_000,
          (options.sessionIdleTimeoutMs ?? VMCP_SERVER_DEFAULTS.sessionIdleTimeoutMs) / 4,
        ),
      ),
    ).unref();
  }

  /**
   * Starts listening, then lists every backend once. Under the `manual` strategy a
   * tool name the overrides leave to several backends refuses the start.
   *
   * @throws ConfigError for bad aggregation settings or an unresolved manual conflict
   */
  static async start(options: VmcpServerOptions): Promise<VmcpServer> {
    const server = new VmcpServer(options);
    server.#pool.setBackends(options.backends);
    await server.#listen();
    await server.#pool.discover();
    if ((options.aggregation?.conflictResolution ?? 'prefix') === 'manual') {
      const unresolved = unresolvedConflicts({
        tools: server.#pool.catalogue.tools,
        conflicts: server.#pool.catalogue.toolConflicts,
      });
      if (unresolved.length > 0) {
        await server.close();
        throw new ConfigError(
          'aggregation.tools',
          `overrides that resolve every tool name conflict (unresolved: ${unresolved
            .map((c) => `${c.name} from ${c.backends.join(', ')}`)
            .join('; ')})`,
        );
      }
    }
    server.#ready = true;
    return server;
  }

  /** The endpoint, e.g. `http://127.0.0.1:4483/mcp`. */
  get url(): string {
    return this.#url;
  }

  /** Whether the endpoint serves MCP: listening, and the backends listed once. */
  get ready(): boolean {
    return this.#ready;
  }

  /** What is served now. */
  get catalogue(): Catalogue {
    return this.#pool.catalogue;
  }

  /** The tool names each backend contributes, as they change: `runtimeStatusStream`'s `served$`. */
  get served$(): Observable<ServedCatalogue> {
    return this.#pool.catalogue$.pipe(map((catalogue) => catalogue.served));
  }

  /** Client sessions open now. */
  get sessionCount(): number {
    return this.#registry.size;
  }

  /** A backend's session, for probing through it (`clientProber`); it connects if needed. */
  backendClient(name: string): (signal: AbortSignal) => Promise<Client> {
    return (signal) => {
      const session = this.#pool.session(name);
      if (session === undefined)
        return Promise.reject(new Error(`backend ${name} is not configured`));
      return session.client(signal, true);
    };
  }

  /** Changes the backends: a new one is listed, a removed one leaves what is served. */
  setBackends(backends: readonly BackendConfig[]): void {
    this.#pool.setBackends(backends);
    void this.#pool.discover();
  }

  /** Stops listening, closes every client session and every backend session. */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#ready = false;
    await this.#registry.closeAll();
    await new Promise<void>((resolve) => {
      this.#http.close(() => {
        resolve();
      });
      this.#http.closeAllConnections();
    });
    await this.#pool.close();
  }

  async #listen(): Promise<void> {
    const host = this.#options.host ?? VMCP_SERVER_DEFAULTS.host;
    const port = this.#options.port ?? VMCP_SERVER_DEFAULTS.port;
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    const address = this.#http.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#url = `http://${shown}:${String(address.port)}${this.#path}`;
    this.#logger.info({ url: this.#url }, 'serving MCP');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== this.#path) {
      jsonRpcError(res, 404, -32000, `Not found: MCP is served at ${this.#path}`);
      return;
    }
    const host = this.#options.host ?? VMCP_SERVER_DEFAULTS.host;
    const refused = hostCheckProblem(
      { host: req.headers.host, origin: req.headers.origin },
      {
        allowedHosts: this.#options.allowedHosts ?? defaultAllowedHosts(host),
        allowedOrigins: this.#options.allowedOrigins,
      },
    );
    if (refused !== undefined) {
      jsonRpcError(res, 403, -32000, `Forbidden: ${refused}`);
      return;
    }
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = this.#registry.touch(id);
      if (session === undefined) {
        jsonRpcError(res, 404, -32001, 'Session not found');
        return;
      }
      const body = await this.#body(req, res);
      if (body === NO_BODY) return;
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST') {
      jsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    if (this.#registry.full) {
      res.setHeader('Retry-After', '5');
      jsonRpcError(res, 503, -32000, 'Service Unavailable: too many sessions');
      return;
    }
    const body = await this.#body(req, res);
    if (body === NO_BODY) return;
    await this.#newSession(req, res, body);
  }

  /**
   * A POST's body, read here (bounded) rather than by the SDK's transport, which would
   * make a web Request of it first; a GET or DELETE has none.
   */
  async #body(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    if (req.method !== 'POST') return undefined;
    const body = await readJsonBody(
      req,
      this.#options.maxBodyBytes ?? VMCP_SERVER_DEFAULTS.maxBodyBytes,
    );
    if (body.ok) return body.value;
    jsonRpcError(res, body.status, body.status === 413 ? -32000 : -32700, body.message);
    return NO_BODY;
  }

  /** A POST without a session id: an `initialize`, which opens a session (else refused). */
  async #newSession(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const state: ClientSessionState = {
      loggingLevel: undefined,
      subscriptions: new Set(),
      lastActivity: (this.#options.now ?? Date.now)(),
    };
    const registry = this.#registry;
    let registered: string | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        registered = sessionId;
        registry.add(sessionId, session);
      },
    });
    const server = createSessionServer(
      {
        pool: this.#pool,
        health: this.health,
        serverInfo: this.#options.serverInfo ?? { name: 'vmcp-status', version: packageVersion() },
        onSubscription: (uri, subscribed) => this.#subscription(uri, subscribed),
      },
      state,
    );
    const session: ClientSession = { server, transport, state };
    transport.onclose = () => {
      if (registered !== undefined) registry.remove(registered);
      for (const uri of state.subscriptions) void this.#subscription(uri, false);
      state.subscriptions.clear();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // Not an initialize (or a refused one): nothing to keep.
    if (registered === undefined) await server.close().catch(() => undefined);
  }

  /** Keeps a backend subscribed to a resource while any client session is. */
  async #subscription(uri: string, subscribed: boolean): Promise<void> {
    let subscribers = 0;
    for (const state of this.#registry.states()) if (state.subscriptions.has(uri)) subscribers++;
    if ((subscribed && subscribers === 1) || (!subscribed && subscribers === 0)) {
      await backendSubscription(this.#pool, uri, subscribed);
    }
  }
}

/** No body to pass on: the answer was already sent. */
const NO_BODY = Symbol('no body');

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
