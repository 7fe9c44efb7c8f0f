import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { StatusMetrics } from '../runtime/metrics.js';

/** Where to serve metrics: `undefined` means off. */
export interface BindAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `--metrics-bind-address` (or `flag`, e.g. `--health-probe-bind-address`) the controller-runtime way: `0` (off), `:8080` (every
 * interface), `127.0.0.1:8080`, `[::1]:8080`; a port of 0 picks a free one.
 *
 * @throws ConfigError naming the flag.
 */
export function parseBindAddress(
  value: string,
  flag = '--metrics-bind-address',
): BindAddress | undefined {
  const text = value.trim();
  if (text === '0' || text === '') return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) {
    throw new ConfigError(flag, 'HOST:PORT, :PORT (every interface) or 0 (off)', value);
  }
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : (match[2] ?? '0.0.0.0'));
  return { host, port };
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9090/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in the Prometheus text format. Rejects when it cannot listen. */
export async function serveMetrics(
  metrics: Pick<StatusMetrics, 'expose' | 'registry'>,
  address: BindAddress,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metrics.expose().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
  server.listen(address.port, address.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => {
      throw err as Error;
    }),
  ]);
  const { address: host, port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
