import { readFileSync } from 'node:fs';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The TLS material of the front: the apiserver's own serving pair and CA. */
export interface ThrottlingFrontTls {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
}

/** One request the front saw. */
export interface FrontRequest {
  readonly method: string;
  readonly path: string;
  /** 429 from the front, or the apiserver's code. */
  readonly code: number;
  /** `performance.now()` when it arrived. */
  readonly at: number;
}

/**
 * An HTTPS front on 127.0.0.1 that terminates TLS with the apiserver's serving
 * certificate (valid for 127.0.0.1) and forwards every request, headers (the bearer
 * token) and streamed bodies (watches) included, to the apiserver; while throttling it
 * answers instead as an overloaded apiserver does: 429 with `Retry-After` and a
 * `Status` of reason `TooManyRequests`. A front, not the apiserver's own
 * `--max-requests-inflight`, because only a front decides which requests get 429 and
 * for how long, so the storm is the same on every run.
 */
export class ThrottlingFront {
  #remaining = 0;
  #retryAfterSeconds = 1;
  readonly requests: FrontRequest[] = [];

  readonly #server: Server;
  #port = 0;

  private constructor(upstream: { host: string; port: number }, tls: ThrottlingFrontTls) {
    const ca = readFileSync(tls.caCert);
    this.#server = createServer(
      { cert: readFileSync(tls.servingCert), key: readFileSync(tls.servingKey) },
      (req, res) => {
        this.#handle(req, res, upstream, ca);
      },
    );
  }

  static async start(
    upstream: { host: string; port: number },
    tls: ThrottlingFrontTls,
  ): Promise<ThrottlingFront> {
    const front = new ThrottlingFront(upstream, tls);
    await new Promise<void>((resolve, reject) => {
      front.#server.once('error', reject);
      front.#server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = front.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    front.#port = address.port;
    return front;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `https://127.0.0.1:${String(this.port)}`;
  }

  /** Answers the next `count` requests (Infinity: until {@link pass}) with 429 and `Retry-After`. */
  throttle(count: number, retryAfterSeconds: number): void {
    this.#remaining = count;
    this.#retryAfterSeconds = retryAfterSeconds;
  }

  /** Forwards everything again. */
  pass(): void {
    this.#remaining = 0;
  }

  /** Requests answered with 429 so far. */
  get throttled(): number {
    return this.requests.filter((r) => r.code === 429).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  #handle(
    req: IncomingMessage,
    res: ServerResponse,
    upstream: { host: string; port: number },
    ca: Buffer,
  ): void {
    const seen = { method: req.method ?? 'GET', path: req.url ?? '/', at: performance.now() };
    if (this.#remaining > 0) {
      this.#remaining--;
      this.requests.push({ ...seen, code: 429 });
      req.resume();
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Too many requests, please try again later.',
        reason: 'TooManyRequests',
        details: { retryAfterSeconds: this.#retryAfterSeconds },
        code: 429,
      });
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(this.#retryAfterSeconds),
      });
      res.end(body);
      return;
    }
    const forwarded = httpsRequest(
      {
        host: upstream.host,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        ca,
      },
      (answer) => {
        this.requests.push({ ...seen, code: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.destroy();
    });
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  }
}
