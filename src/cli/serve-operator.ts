import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import { OperatorMetrics } from '../operator/operator-metrics.js';
import { VmcpOperator, type VmcpOperatorOptions } from '../operator/vmcp-operator.js';
import { formatDuration } from '../runtime/parse-duration.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { listenForProbes, type HealthChecks, type HealthServer } from './health-server.js';
import { serveMetrics, type BindAddress, type MetricsServer } from './metrics-server.js';
import { untilSignal } from './until-signal.js';

/** Options of {@link serveOperator}. */
export interface ServeOperatorOptions extends Omit<
  VmcpOperatorOptions,
  'kubeConfig' | 'logger' | 'metrics'
> {
  readonly kubeConfig: KubeConfig;
  /** `undefined`: no metrics endpoint. */
  readonly metricsAddress: BindAddress | undefined;
  /** `/healthz` and `/readyz`; `undefined`: none. */
  readonly healthAddress?: BindAddress | undefined;
  /** The health address was asked for: failing to listen there is fatal. Defaults to false (a warning). */
  readonly healthRequired?: boolean;
  readonly logger: Logger;
  /** Defaults to SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Runs the operator until SIGTERM or SIGINT (then waits for the running reconcile and
 * resolves 0). When it cannot start (the CRD is not installed, RBAC refuses the
 * watch) it logs why and resolves 1. A metrics port in use rejects.
 */
export async function serveOperator(options: ServeOperatorOptions): Promise<number> {
  const {
    logger,
    kubeConfig,
    metricsAddress,
    healthAddress,
    healthRequired,
    signals: _signals,
    ...rest
  } = options;
  const metrics = metricsAddress === undefined ? undefined : new OperatorMetrics();
  let metricsServer: MetricsServer | undefined;
  if (metrics !== undefined && metricsAddress !== undefined) {
    metricsServer = await serveMetrics(metrics, metricsAddress);
    logger.info({ component: 'metrics', url: metricsServer.url }, 'metrics server listening');
  }
  const operator = new VmcpOperator({ ...rest, kubeConfig, logger, metrics });
  // Ready once every informer has listed (start resolved); live until it stops.
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  const checks: HealthChecks = {
    live: () => (phase === 'stopping' ? { ok: false, reason: 'stopping' } : { ok: true }),
    ready: () =>
      phase === 'running' ? { ok: true } : { ok: false, reason: `informers not synced (${phase})` },
  };
  let healthServer: HealthServer | undefined;
  try {
    healthServer = await listenForProbes(checks, healthAddress, healthRequired === true, logger);
  } catch (err) {
    await metricsServer?.close();
    throw err;
  }

  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  // Informers hold sockets, but not while a first list waits to be retried.
  const { signalled, release } = untilSignal(signals);

  const started = await Promise.race([
    operator.start().then(
      () => ({ started: true }) as const,
      (err: unknown) => ({ failure: err }) as const,
    ),
    signalled.then((signal) => ({ signal }) as const),
  ]);
  if ('failure' in started) {
    release();
    logger.error({ err: started.failure }, startFailure(started.failure));
    await metricsServer?.close();
    await healthServer?.close();
    return EXIT_FAILURE;
  }
  if ('started' in started) {
    phase = 'running';
    logger.info(
      {
        namespace: options.namespace ?? '(all)',
        resync: formatDuration(options.resyncPeriodMs ?? 600_000),
      },
      'vmcp-status operator running',
    );
  }
  const signal = 'signal' in started ? started.signal : await signalled;
  release();
  phase = 'stopping';
  logger.info({ signal }, 'stopping: waiting for the running reconcile');
  await operator.stop();
  await metricsServer?.close();
  await healthServer?.close();
  logger.info('vmcp-status operator stopped');
  return EXIT_OK;
}

function startFailure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 404) {
    return 'cannot start: the VirtualMCPServer CRD is not installed (kubectl apply -k manifests/)';
  }
  if (code === 403) {
    return 'cannot start: RBAC refuses to list or watch (apply manifests/operator/rbac.yaml and run as its ServiceAccount)';
  }
  return 'cannot start the operator';
}
