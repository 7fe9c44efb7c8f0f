import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Option } from 'commander';
import type { Logger } from '../logger.js';
import type { BindAddress } from './metrics-server.js';

/** One probe's answer: healthy, or why not (short, no raw error text: it is served to anyone). */
export type HealthCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What `/healthz` and `/readyz` ask. */
export interface HealthChecks {
  /** Liveness: the process and its loops are alive (the kubelet restarts the container otherwise). */
  readonly live: () => HealthCheck;
  /** Readiness: the process does its job (`Available` means this). */
  readonly ready: () => HealthCheck;
}

/** A running health endpoint. */
export interface HealthServer {
  /** e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The default of `--health-probe-bind-address`, as in controller-runtime. */
export const DEFAULT_HEALTH_PROBE_BIND_ADDRESS = ':8081';

/**
 * Serves `GET /healthz` (liveness) and `GET /readyz` (readiness) as controller-runtime
 * does: 200 `ok`, or 503 with the reason. Rejects when it cannot listen.
 */
export async function serveHealth(
  checks: HealthChecks,
  address: BindAddress,
): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const check =
      path === '/healthz' || path === '/livez'
        ? checks.live
        : path === '/readyz'
          ? checks.ready
          : undefined;
    if (check === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /healthz or /readyz\n');
      return;
    }
    let answer: HealthCheck;
    try {
      answer = check();
    } catch {
      answer = { ok: false, reason: 'check failed' };
    }
    res
      .writeHead(answer.ok ? 200 : 503, {
        'content-type': 'text/plain',
        'cache-control': 'no-store',
      })
      .end(answer.ok ? 'ok\n' : `${answer.reason}\n`);
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
    url: `http://${shown}:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/**
 * Starts the probe endpoint when `address` is set. A port in use is fatal when the
 * address was asked for (`required`), else a warning: a laptop may already have
 * something on the default :8081, and a pod never does.
 */
export async function listenForProbes(
  checks: HealthChecks,
  address: BindAddress | undefined,
  required: boolean,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<HealthServer | undefined> {
  if (address === undefined) return undefined;
  try {
    const server = await serveHealth(checks, address);
    logger.info(
      { component: 'health', url: server.url },
      'health probes listening on /healthz and /readyz',
    );
    return server;
  } catch (err) {
    if (required) throw err;
    logger.warn(
      { component: 'health', port: address.port, code: (err as { code?: string }).code },
      'health probes not served: the port is taken (set --health-probe-bind-address)',
    );
    return undefined;
  }
}

/** `--health-probe-bind-address`, shared by `run` and `operator`. */
export function healthProbeOption(): Option {
  return new Option(
    '--health-probe-bind-address <address>',
    'serve /healthz (liveness) and /readyz (readiness) at HOST:PORT (:PORT for every interface); 0 is off',
  ).default(DEFAULT_HEALTH_PROBE_BIND_ADDRESS);
}
