import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What the proxy does to traffic:
 * - `pass`: forwards both ways;
 * - `drop`: closes new and existing connections (FIN), as a restarting middlebox does;
 * - `reset`: resets new and existing connections (RST);
 * - `delay`: forwards every chunk, both ways, after `delayMs` (order kept);
 * - `blackhole`: accepts, never forwards and never answers (a partition); when it ends,
 *   held connections go on where they stopped, as TCP does once a partition heals
 *   (unless the client gave up on them meanwhile).
 */
export type FaultMode = 'pass' | 'drop' | 'reset' | 'delay' | 'blackhole';

/** One client connection and, once forwarded, its upstream. */
interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Per direction, so delayed chunks keep their order. */
  toUpstream: Promise<void>;
  toClient: Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of one address (the apiserver). TLS passes
 * through untouched, so the apiserver's certificate must be valid for 127.0.0.1.
 */
export class FaultProxy {
  #mode: FaultMode = 'pass';
  #delayMs = 0;
  readonly #links = new Set<Link>();
  #accepted = 0;

  readonly #server: Server;
  #port = 0;

  private constructor(private readonly target: { readonly host: string; readonly port: number }) {
    this.#server = createServer({ pauseOnConnect: true }, (socket) => {
      this.#accept(socket);
    });
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = proxy.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    proxy.#port = address.port;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** `https://127.0.0.1:<port>`: the server a kubeconfig through this proxy names. */
  get url(): string {
    return `https://127.0.0.1:${String(this.port)}`;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** Connections accepted so far. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Connections open now. */
  get open(): number {
    return this.#links.size;
  }

  /** Switches mode; `drop` and `reset` also end every open connection, `pass` releases held ones. */
  set(mode: FaultMode, options: { delayMs?: number } = {}): void {
    this.#mode = mode;
    this.#delayMs = mode === 'delay' ? (options.delayMs ?? 500) : 0;
    for (const link of [...this.#links]) {
      if (mode === 'drop') this.#end(link, false);
      else if (mode === 'reset') this.#end(link, true);
      else if (mode === 'blackhole') {
        link.client.pause();
        link.upstream?.pause();
      } else this.#flow(link);
    }
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    for (const link of [...this.#links]) this.#end(link, false);
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  #accept(client: Socket): void {
    this.#accepted++;
    // A client that resets its side must not crash the process.
    client.on('error', () => undefined);
    if (this.#mode === 'drop') {
      closeGracefully(client);
      return;
    }
    if (this.#mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const link: Link = {
      client,
      upstream: undefined,
      toUpstream: Promise.resolve(),
      toClient: Promise.resolve(),
    };
    this.#links.add(link);
    client.on('close', () => {
      this.#end(link, false);
    });
    client.on('data', (chunk: Buffer) => {
      link.toUpstream = this.#forward(link.toUpstream, chunk, () => link.upstream);
    });
    // Held (paused, not connected) until the mode lets traffic through.
    if (this.#mode === 'blackhole') client.pause();
    else this.#flow(link);
  }

  /** Connects the link upstream if it is not yet, and lets data flow both ways. */
  #flow(link: Link): void {
    if (link.upstream === undefined) {
      const upstream = connect({ host: this.target.host, port: this.target.port });
      link.upstream = upstream;
      upstream.on('error', () => undefined);
      upstream.on('close', () => {
        this.#end(link, false);
      });
      upstream.on('data', (chunk: Buffer) => {
        link.toClient = this.#forward(link.toClient, chunk, () => link.client);
      });
    }
    link.upstream.resume();
    link.client.resume();
  }

  async #forward(
    previous: Promise<void>,
    chunk: Buffer,
    destination: () => Socket | undefined,
  ): Promise<void> {
    await previous;
    if (this.#delayMs > 0) await sleep(this.#delayMs);
    const socket = destination();
    if (socket !== undefined && !socket.destroyed) socket.write(chunk);
  }

  #end(link: Link, reset: boolean): void {
    if (!this.#links.delete(link)) return;
    if (reset) link.client.resetAndDestroy();
    else closeGracefully(link.client);
    link.upstream?.destroy();
  }
}

/**
 * Closes with a FIN: what the client sent is read and discarded first, since closing a
 * socket with unread data makes the kernel send a reset instead.
 */
function closeGracefully(socket: Socket): void {
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.resume();
  socket.end();
  setTimeout(() => socket.destroy(), 2_000).unref();
}
