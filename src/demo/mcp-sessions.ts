/* eslint-disable @typescript-eslint/no-deprecated --
 * The low-level `Server` (see paged-tools-server.ts), and `SSEServerTransport` serves
 * the backends that only speak the older HTTP+SSE transport. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

/** An MCP transport: `streamable-http` at `/mcp`, or the older HTTP+SSE at `/sse`. */
export type McpTransportKind = 'streamable-http' | 'sse';

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport | SSEServerTransport;
}

/**
 * The MCP sessions of one HTTP server: routes each request to its session's
 * transport, opens a session on `initialize` (streamable HTTP) or `GET /sse`, and
 * answers 404 for a session it does not know, as a restarted server would.
 */
export class McpSessions {
  readonly #sessions = new Map<string, Session>();

  /** @param newServer builds the MCP server of one new session. */
  constructor(
    private readonly kind: McpTransportKind,
    private readonly newServer: () => McpServer,
  ) {}

  /** Sessions open now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Sends `notifications/tools/list_changed` on every session. */
  async notifyToolListChanged(): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()].map(({ server }) =>
        server.sendToolListChanged().catch(() => undefined),
      ),
    );
  }

  /** Forgets and closes every session: old session ids get 404 from now on. */
  async forgetAll(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map(({ server }) => server.close().catch(() => undefined)));
  }

  /** Answers one HTTP request; `body` is its parsed JSON (POST). */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    return this.kind === 'sse'
      ? this.#handleSse(req, res, body)
      : this.#handleStreamable(req, res, body);
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
    const server = this.newServer();
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
      const server = this.newServer();
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
}
