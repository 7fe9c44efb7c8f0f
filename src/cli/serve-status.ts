import type { Observable } from 'rxjs';
import { createReporter } from '../factory/create-reporter.js';
import type { ReporterChoice } from '../factory/detect-reporter-mode.js';
import type { Logger } from '../logger.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import { StatusMetrics } from '../runtime/metrics.js';
import type { MonitorOptions } from '../runtime/monitor.js';
import { formatDuration } from '../runtime/parse-duration.js';
import { startStatusReporting } from '../runtime/start-status-reporting.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { serveMetrics, type BindAddress, type MetricsServer } from './metrics-server.js';

/** Options of {@link serveStatus}. */
export interface ServeStatusOptions {
  readonly backends$: Observable<readonly BackendConfig[]>;
  readonly backendCount: number;
  readonly reporter: ReporterChoice;
  readonly kubeconfigPath?: string | undefined;
  readonly fieldManager?: string | undefined;
  readonly intervalMs: number;
  readonly monitor: MonitorOptions;
  /** `undefined`: no metrics endpoint. */
  readonly metricsAddress: BindAddress | undefined;
  readonly logger: Logger;
  /** Defaults to SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Runs status reporting until SIGTERM or SIGINT (then flushes and resolves 0) or until
 * it fails (then resolves 1). Errors before it starts, like a bad reporter choice
 * (`ConfigError`) or a metrics port in use, reject.
 */
export async function serveStatus(options: ServeStatusOptions): Promise<number> {
  const { logger } = options;
  const metrics = options.metricsAddress === undefined ? undefined : new StatusMetrics();
  // `metrics` reaches a reporter that meters its own writes (the Kubernetes one).
  const reporterOptions = {
    reporter: options.reporter,
    logger,
    ...(options.kubeconfigPath === undefined ? {} : { kubeconfigPath: options.kubeconfigPath }),
    ...(options.fieldManager === undefined ? {} : { fieldManager: options.fieldManager }),
    ...(metrics === undefined ? {} : { metrics: metrics.reporterHooks }),
  };
  const { reporter, mode } = createReporter(reporterOptions);

  let metricsServer: MetricsServer | undefined;
  if (metrics !== undefined && options.metricsAddress !== undefined) {
    metricsServer = await serveMetrics(metrics, options.metricsAddress);
    logger.info({ component: 'metrics', url: metricsServer.url }, 'metrics server listening');
  }

  const reporting = startStatusReporting({
    backends$: options.backends$,
    reporter,
    interval: options.intervalMs,
    monitor: options.monitor,
    logger,
    ...(metrics === undefined ? {} : { metrics, reporterMeters: mode.mode === 'k8s' }),
  });
  logger.info(
    {
      backends: options.backendCount,
      interval: formatDuration(options.intervalMs),
      probeInterval: formatDuration(options.monitor.intervalMs ?? options.intervalMs),
      reporter: mode.mode,
    },
    'vmcp-status started',
  );

  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    for (const signal of signals) process.on(signal, resolve);
  });
  const ended = await Promise.race([
    signalled.then((signal) => ({ signal }) as const),
    reporting.done.then(
      () => ({ failure: new Error('status reporting ended on its own') }) as const,
      (err: unknown) => ({ failure: err }) as const,
    ),
  ]);
  for (const signal of signals) if (onSignal) process.off(signal, onSignal);
  const forceExit = (signal: NodeJS.Signals): void => {
    logger.warn({ signal }, 'second signal: exiting without waiting for the flush');
    process.exit(EXIT_FAILURE);
  };
  for (const signal of signals) process.once(signal, forceExit);

  if ('signal' in ended) {
    logger.info({ signal: ended.signal }, 'stopping: reporting the last status');
  } else {
    logger.error({ err: ended.failure }, 'status reporting failed');
  }
  await reporting.stop();
  await metricsServer?.close();
  for (const signal of signals) process.off(signal, forceExit);
  logger.info('vmcp-status stopped');
  return 'signal' in ended ? EXIT_OK : EXIT_FAILURE;
}
