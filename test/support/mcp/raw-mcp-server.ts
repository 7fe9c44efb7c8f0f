import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a {@link RawMcpServer} answers to one JSON-RPC request. */
export type RawAnswer =
  /** A JSON-RPC `result`, sent as `application/json`. */
  | { readonly result: unknown }
  /** A JSON-RPC `error`. */
  | { readonly error: { readonly code: number; readonly message: string } }
  /** Raw bytes with an HTTP status: a body that may be anything (non-UTF-8, an error page). */
  | { readonly status: number; readonly body: Buffer | string; readonly contentType?: string };

/**
 * Answers one request (`undefined`: the default answer); `url` is the request's path
 * and query as received, `id` its JSON-RPC id (for a raw body).
 */
export type RawResponder = (
  method: string,
  params: Record<string, unknown> | undefined,
  url: string,
  id: unknown,
) => RawAnswer | undefined;

/**
 * A Streamable HTTP MCP endpoint written by hand, for backends no SDK server can
 * play: bodies that are not UTF-8, tool names of megabytes, cursors that never end,
 * error pages that echo the request. Stateless (no session id): `initialize` and
 * `ping` are answered unless `respond` says otherwise, notifications get 202 and
 * GET/DELETE 405, as the transport allows.
 */
export class RawMcpServer {
  /** JSON-RPC requests received, by method. */
  readonly counts = new Map<string, number>();
  readonly #http: Server;
  readonly #respond: RawResponder;
  #url = '';

  constructor(respond: RawResponder) {
    this.#respond = respond;
    this.#http = createServer((req, res) => {
      void (async () => {
        if (req.method !== 'POST') {
          res.writeHead(405).end();
          return;
        }
        const message = (await readJson(req)) as {
          id?: unknown;
          method?: string;
          params?: Record<string, unknown>;
        };
        const method = message.method ?? '';
        this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
        if (message.id === undefined) {
          res.writeHead(202).end();
          return;
        }
        const answer =
          this.#respond(method, message.params, req.url ?? '/', message.id) ?? defaults(method);
        if ('result' in answer || 'error' in answer) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, ...answer }));
          return;
        }
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
        res.end(answer.body);
      })().catch(() => {
        res.destroy();
      });
    });
  }

  /** `http://127.0.0.1:PORT/mcp`. */
  get url(): string {
    return this.#url;
  }

  async listen(): Promise<this> {
    this.#http.listen(0, '127.0.0.1');
    await once(this.#http, 'listening');
    const { port } = this.#http.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${String(port)}/mcp`;
    return this;
  }

  async close(): Promise<void> {
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#http.close(() => {
        resolve();
      });
    });
  }
}

/** Starts a {@link RawMcpServer} on loopback. */
export function startRawMcpServer(respond: RawResponder): Promise<RawMcpServer> {
  return new RawMcpServer(respond).listen();
}

/**
 * The body of a JSON-RPC answer with `result`, as a raw buffer: for answers that
 * must carry bytes JSON.stringify would not write (invalid UTF-8).
 */
export function rawResult(id: unknown, resultJson: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`),
    resultJson,
    Buffer.from('}'),
  ]);
}

function defaults(method: string): RawAnswer {
  if (method === 'initialize') {
    return {
      result: {
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'raw', version: '0.0.0' },
      },
    };
  }
  if (method === 'ping') return { result: {} };
  if (method === 'tools/list') return { result: { tools: [] } };
  return { error: { code: -32601, message: `no method ${method}` } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return {};
  }
}
