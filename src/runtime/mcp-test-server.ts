/* eslint-disable @typescript-eslint/no-deprecated --
 * The low-level `Server` answers `tools/list` page by page (McpServer does not
 * paginate), and `SSEServerTransport` serves the backends that only speak SSE. */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * How a {@link McpTestServer} answers HTTP requests; switchable while it runs.
 *
 * - `ok`: a real MCP server;
 * - `unauthorized` / `forbidden`: 401 (with `WWW-Authenticate`) / 403;
 * - `unavailable`: 503;
 * - `garbage`: 200 with a body that is not JSON;
 * - `close`: destroys the connection without an answer;
 * - `hang`: accepts the request and never answers.
 */
export type McpTestServerMode =
  'ok' | 'unauthorized' | 'forbidden' | 'unavailable' | 'garbage' | 'close' | 'hang';

/** Options of {@link startMcpTestServer}. */
export interface McpTestServerOptions {
  /** The server's name in `initialize`. Defaults to `test-backend`. */
  readonly name?: string;
  /** How many tools it offers. Defaults to 3. */
  readonly tools?: number;
  /** Tools per `tools/list` page. Defaults to all of them on one page. */
  readonly pageSize?: number;
  /** Delay before answering each request. Defaults to 0. */
  readonly delayMs?: number;
  /** Defaults to `ok`. */
  readonly mode?: McpTestServerMode;
  /** `streamable-http` (at `/mcp`) or the older HTTP+SSE (at `/sse`). Defaults to `streamable-http`. */
  readonly transport?: 'streamable-http' | 'sse';
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  readonly requiredToken?: string;
  /**
   * The address to listen on. Defaults to `127.0.0.1`; the local node's pods reach this
   * machine only on its address on the node's bridge.
   */
  readonly host?: string;
}

/** One HTTP request a {@link McpTestServer} received. */
export interface ReceivedRequest {
  readonly httpMethod: string;
  /** The JSON-RPC method of a POST, if it had one. */
  readonly rpcMethod?: string | undefined;
  /** Resolves when the client closed the connection before it was answered. */
  readonly abandoned: Promise<void>;
}

/**
 * A real MCP server (`@modelcontextprotocol/sdk`) on loopback, for tests and the demo:
 * healthy, slow, 401/403, garbage, connection-closing, hanging, paginated, and able to
 * announce `notifications/tools/list_changed`. Counts what it is asked.
 */
export class McpTestServer extends EventEmitter<{ request: [ReceivedRequest] }> {
  /** Switch at any time; the next request sees it. */
  mode: McpTestServerMode;
  /** Switch at any time. */
  delayMs: number;
  /** Requests received per JSON-RPC method (and `GET`/`DELETE` streams by HTTP method). */
  readonly counts = new Map<string, number>();
  readonly #options: McpTestServerOptions;
  readonly #http: Server;
  readonly #sessions = new Map<
    string,
    { server: McpServer; transport: StreamableHTTPServerTransport | SSEServerTransport }
  >();
  #toolCount: number;
  #url = '';

  constructor(options: McpTestServerOptions = {}) {
    super();
    this.#options = options;
    this.mode = options.mode ?? 'ok';
    this.delayMs = options.delayMs ?? 0;
    this.#toolCount = options.tools ?? 3;
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
    if (!notify) return;
    await Promise.all(
      [...this.#sessions.values()].map(({ server }) =>
        server.sendToolListChanged().catch(() => undefined),
      ),
    );
  }

  /** Forgets every session, as a restarted server would: old session ids get 404. */
  async forgetSessions(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map(({ server }) => server.close().catch(() => undefined)));
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
    const body = req.method === 'POST' ? await readJson(req) : undefined;
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
    if (this.#options.transport === 'sse') await this.#handleSse(req, res, body);
    else await this.#handleStreamable(req, res, body);
  }

  async #handleStreamable(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.#sessions.get(sessionId);
      if (session === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32001, message: 'Session not found' },
            id: null,
          }),
        );
        return;
      }
      await (session.transport as StreamableHTTPServerTransport).handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      res.writeHead(400).end('no session');
      return;
    }
    const server = this.#mcpServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { server, transport });
      },
      onsessionclosed: (id) => {
        this.#sessions.delete(id);
      },
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async #handleSse(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const server = this.#mcpServer();
      const transport = new SSEServerTransport('/messages', res);
      this.#sessions.set(transport.sessionId, { server, transport });
      res.on('close', () => {
        this.#sessions.delete(transport.sessionId);
      });
      await server.connect(transport);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/messages') {
      const session = this.#sessions.get(url.searchParams.get('sessionId') ?? '');
      if (session === undefined) {
        res.writeHead(404).end('unknown session');
        return;
      }
      await (session.transport as SSEServerTransport).handlePostMessage(req, res, body);
      return;
    }
    res.writeHead(405).end();
  }

  #mcpServer(): McpServer {
    const server = new McpServer(
      { name: this.#options.name ?? 'test-backend', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    server.setRequestHandler(ListToolsRequestSchema, (request) => {
      const total = this.#toolCount;
      const pageSize = this.#options.pageSize ?? Math.max(total, 1);
      const start = Number(request.params?.cursor ?? 0);
      const end = Math.min(start + pageSize, total);
      const tools = [];
      for (let i = start; i < end; i++) {
        tools.push({
          name: `tool-${i + 1}`,
          description: `test tool ${i + 1}`,
          inputSchema: { type: 'object' as const },
        });
      }
      return end < total ? { tools, nextCursor: String(end) } : { tools };
    });
    server.setRequestHandler(CallToolRequestSchema, (request) => ({
      content: [{ type: 'text', text: `called ${request.params.name}` }],
    }));
    return server;
  }
}

/** Starts a {@link McpTestServer} on loopback. */
export function startMcpTestServer(options: McpTestServerOptions = {}): Promise<McpTestServer> {
  return new McpTestServer(options).listen();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function rpcMethodOf(body: unknown): string | undefined {
  const message = Array.isArray(body) ? (body[0] as unknown) : body;
  if (typeof message !== 'object' || message === null || !('method' in message)) return undefined;
  const { method } = message;
  return typeof method === 'string' ? method : undefined;
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
