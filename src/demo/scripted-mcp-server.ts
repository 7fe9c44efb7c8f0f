import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, rpcMethodOf } from './json-rpc-body.js';
import { McpSessions, type McpTransportKind } from './mcp-sessions.js';
import { pagedToolsServer } from './paged-tools-server.js';

/**
 * How a {@link ScriptedMcpServer} answers HTTP requests; switchable while it runs.
 *
 * - `ok`: a real MCP server;
 * - `unauthorized` / `forbidden`: 401 (with `WWW-Authenticate`) / 403;
 * - `unavailable`: 503;
 * - `garbage`: 200 with a body that is not JSON;
 * - `close`: destroys the connection without an answer;
 * - `hang`: accepts the request and never answers.
 */
export type ScriptedMcpServerMode =
  'ok' | 'unauthorized' | 'forbidden' | 'unavailable' | 'garbage' | 'close' | 'hang';

/** Options of {@link startScriptedMcpServer}. */
export interface ScriptedMcpServerOptions {
  /** The server's name in `initialize`. Defaults to `test-backend`. */
  readonly name?: string;
  /** How many tools it offers. Defaults to 3. */
  readonly tools?: number;
  /** Tools per `tools/list` page. Defaults to all of them on one page. */
  readonly pageSize?: number;
  /** Delay before answering each request. Defaults to 0. */
  readonly delayMs?: number;
  /** Defaults to `ok`. */
  readonly mode?: ScriptedMcpServerMode;
  /** `streamable-http` (at `/mcp`) or the older HTTP+SSE (at `/sse`). Defaults to `streamable-http`. */
  readonly transport?: McpTransportKind;
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  readonly requiredToken?: string;
  /**
   * The address to listen on. Defaults to `127.0.0.1`; the local node's pods reach this
   * machine only on its address on the node's bridge.
   */
  readonly host?: string;
}

/** One HTTP request a {@link ScriptedMcpServer} received. */
export interface ReceivedRequest {
  readonly httpMethod: string;
  /** The JSON-RPC method of a POST, if it had one. */
  readonly rpcMethod?: string | undefined;
  /** Resolves when the client closed the connection before it was answered. */
  readonly abandoned: Promise<void>;
}

/**
 * A real MCP server (`@modelcontextprotocol/sdk`) on loopback whose behaviour a script
 * switches while it runs, for the demo and the tests: healthy, slow, 401/403, 503,
 * garbage, connection-closing, hanging, paginated, and able to announce
 * `notifications/tools/list_changed`. Counts what it is asked.
 */
export class ScriptedMcpServer extends EventEmitter<{ request: [ReceivedRequest] }> {
  /** Switch at any time; the next request sees it. */
  mode: ScriptedMcpServerMode;
  /** Switch at any time. */
  delayMs: number;
  /** Requests received per JSON-RPC method (and `GET`/`DELETE` streams by HTTP method). */
  readonly counts = new Map<string, number>();
  readonly #options: ScriptedMcpServerOptions;
  readonly #http: Server;
  readonly #sessions: McpSessions;
  #toolCount: number;
  #url = '';

  constructor(options: ScriptedMcpServerOptions = {}) {
    super();
    this.#options = options;
    this.mode = options.mode ?? 'ok';
    this.delayMs = options.delayMs ?? 0;
    this.#toolCount = options.tools ?? 3;
    this.#sessions = new McpSessions(options.transport ?? 'streamable-http', () =>
      pagedToolsServer({
        name: options.name ?? 'test-backend',
        toolCount: () => this.#toolCount,
        pageSize: options.pageSize,
      }),
    );
    this.#http = createServer((req, res) => {
      void this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  }

  /** The MCP endpoint: `http://HOST:PORT/mcp` (or `/sse`). */
  get url(): string {
    return this.#url;
  }

  /** How many tools it offers now. */
  get toolCount(): number {
    return this.#toolCount;
  }

  /** Sessions open now. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** How many requests of one kind it received (`initialize`, `ping`, `tools/list`, `GET`, …). */
  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  /** Changes the tool count and, unless `notify` is false, tells every session. */
  async setToolCount(count: number, { notify = true }: { notify?: boolean } = {}): Promise<void> {
    this.#toolCount = count;
    if (notify) await this.#sessions.notifyToolListChanged();
  }

  /** Forgets every session, as a restarted server would: old session ids get 404. */
  forgetSessions(): Promise<void> {
    return this.#sessions.forgetAll();
  }

  /** Resolves with the next request that matches. */
  async nextRequest(match: (r: ReceivedRequest) => boolean = () => true): Promise<ReceivedRequest> {
    for (;;) {
      const [request] = (await once(this, 'request')) as [ReceivedRequest];
      if (match(request)) return request;
    }
  }

  /** Starts listening on an ephemeral port of `host` (loopback by default). */
  async listen(): Promise<this> {
    const host = this.#options.host ?? '127.0.0.1';
    this.#http.listen(0, host);
    await once(this.#http, 'listening');
    const { port } = this.#http.address() as AddressInfo;
    const path = this.#options.transport === 'sse' ? '/sse' : '/mcp';
    this.#url = `http://${host}:${port}${path}`;
    return this;
  }

  /** Closes every session and connection, hanging ones included. */
  async close(): Promise<void> {
    await this.forgetSessions();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#http.close(() => {
        resolve();
      });
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = req.method === 'POST' ? await readJsonBody(req) : undefined;
    const rpcMethod = rpcMethodOf(body);
    const key = rpcMethod ?? req.method ?? 'unknown';
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const abandoned = new Promise<void>((resolve) => {
      res.on('close', () => {
        if (!res.writableFinished) resolve();
      });
    });
    this.emit('request', { httpMethod: req.method ?? '', rpcMethod, abandoned });

    if (this.delayMs > 0) await delay(this.delayMs, abandoned);
    if (res.destroyed) return;
    switch (this.mode) {
      case 'ok':
        break;
      case 'unauthorized':
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"' }).end('unauthorized');
        return;
      case 'forbidden':
        res.writeHead(403).end('forbidden');
        return;
      case 'unavailable':
        res.writeHead(503).end('unavailable');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc": "2.0", garb');
        return;
      case 'close':
        req.socket.destroy();
        return;
      case 'hang':
        return;
    }
    const token = this.#options.requiredToken;
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"' }).end('unauthorized');
      return;
    }
    await this.#sessions.handle(req, res, body);
  }
}

/** Starts a {@link ScriptedMcpServer} on loopback. */
export function startScriptedMcpServer(
  options: ScriptedMcpServerOptions = {},
): Promise<ScriptedMcpServer> {
  return new ScriptedMcpServer(options).listen();
}

function delay(ms: number, cancelled: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void cancelled.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
