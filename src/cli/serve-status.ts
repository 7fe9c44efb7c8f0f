import { firstValueFrom, of, type Observable } from 'rxjs';
import type { StatusLayout } from '../apply/status-layout.js';
import { ConfigError } from '../errors.js';
import { createReporter } from '../factory/create-reporter.js';
import type { ReporterChoice } from '../factory/detect-reporter-mode.js';
import type { Logger } from '../logger.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import { StatusMetrics } from '../runtime/metrics.js';
import type { MonitorOptions } from '../runtime/monitor.js';
import { formatDuration } from '../runtime/parse-duration.js';
import { followVmcpSpec, type FollowedVmcpSpec } from '../runtime/spec-backends.js';
import { startStatusReporting } from '../runtime/start-status-reporting.js';
import { restartSettingsKey, type VmcpSpecSettings } from '../runtime/vmcp-spec.js';
import { BackendHealthModel } from '../runtime/backend-health-model.js';
import { clientProber } from '../runtime/client-prober.js';
import { packageVersion } from '../runtime/package-version.js';
import type { AggregationConfig } from '../config/aggregation-config.js';
import { VmcpServer } from '../server/vmcp-server.js';
import type { BackendsFrom } from './backends-from.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { listenForProbes, type HealthServer } from './health-server.js';
import { serveMetrics, type BindAddress, type MetricsServer } from './metrics-server.js';
import { RuntimeHealth } from './runtime-health.js';
import { untilSignal } from './until-signal.js';

/** Options of {@link serveStatus}. */
export interface ServeStatusOptions {
  /** The config file's backends (or the demo's). */
  readonly backends: readonly BackendConfig[];
  /** Defaults to `config`. */
  readonly backendsFrom?: BackendsFrom;
  /** The config file, if one was given: without one, backends can only come from the spec. */
  readonly configFile?: string | undefined;
  readonly reporter: ReporterChoice;
  readonly kubeconfigPath?: string | undefined;
  readonly fieldManager?: string | undefined;
  /** Kubernetes mode: the VirtualMCPServer's apiVersion. Defaults to `vmcp-status.dev/v1beta1`. */
  readonly apiVersion?: string | undefined;
  /** Kubernetes mode: see `createReporter`. Defaults to `VMCP_STATUS_LAYOUT`, else `auto`. */
  readonly statusLayout?: StatusLayout | undefined;
  /** Kubernetes mode: see `createReporter`. Defaults to 60 000 ms; 0 is off. */
  readonly writeLeaseDurationMs?: number | undefined;
  /** Writes an otherwise unchanged status this often (check times); 0 is off. Defaults to 5 m. */
  readonly statusRefreshMs?: number | undefined;
  /** Kubernetes mode: at most this many `discoveredBackends` entries. Defaults to 256. */
  readonly maxReportedBackends?: number | undefined;
  /**
   * The report interval a flag or the config file set. Otherwise the spec's
   * `reportInterval` when backends come from the spec, else 30 s.
   */
  readonly intervalMs?: number | undefined;
  /** Probe settings of the config file; they win over the spec's `probe`. */
  readonly monitor: MonitorOptions;
  /** Where and what the vMCP serves. */
  readonly serve: {
    readonly host: string;
    readonly port: number;
    readonly aggregation: AggregationConfig;
    /** One backend call's deadline. Defaults to 30 s. */
    readonly callTimeoutMs?: number | undefined;
    readonly allowedHosts?: readonly string[] | undefined;
  };
  /** `undefined`: no metrics endpoint. */
  readonly metricsAddress: BindAddress | undefined;
  /** `/healthz` and `/readyz`; `undefined`: none. */
  readonly healthAddress?: BindAddress | undefined;
  /** The health address was asked for: failing to listen there is fatal. Defaults to false (a warning). */
  readonly healthRequired?: boolean;
  readonly logger: Logger;
  /** Log mode: how often the summary line goes out. Defaults to the report interval. */
  readonly logSummaryIntervalMs?: number | undefined;
  /** What the reporter is chosen from (`VMCP_NAME`, `VMCP_NAMESPACE`, …). Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Defaults to SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Runs status reporting until SIGTERM or SIGINT (then flushes and resolves 0) or until
 * it fails (then resolves 1). Errors before it starts, like a bad reporter choice
 * (`ConfigError`) or a metrics port in use, reject.
 *
 * With backends from the spec it first waits for the VirtualMCPServer to be read
 * (a signal meanwhile stops it with 0): its probe settings and report interval apply
 * where the flags and the config file set none, and later backend changes apply at
 * once, without a restart.
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
    ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }),
    ...(options.statusLayout === undefined ? {} : { statusLayout: options.statusLayout }),
    ...(options.writeLeaseDurationMs === undefined
      ? {}
      : { writeLeaseDurationMs: options.writeLeaseDurationMs }),
    ...(options.statusRefreshMs === undefined ? {} : { statusRefreshMs: options.statusRefreshMs }),
    ...(options.maxReportedBackends === undefined
      ? {}
      : { maxReportedBackends: options.maxReportedBackends }),
    ...(metrics === undefined ? {} : { metrics: metrics.reporterHooks }),
    ...(options.logSummaryIntervalMs === undefined
      ? {}
      : { logSummaryIntervalMs: options.logSummaryIntervalMs }),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  const created = await createReporter(reporterOptions);
  const { mode, kubeConfig } = created;
  const probes = new RuntimeHealth();
  const reporter = probes.observe(created.reporter);
  const from = options.backendsFrom ?? 'config';
  const k8sMode = mode.mode === 'k8s' ? mode : undefined;
  const fromSpec =
    from === 'spec' || (from === 'auto' && k8sMode !== undefined && options.backends.length === 0);
  if (fromSpec && (k8sMode === undefined || kubeConfig === undefined)) {
    throw new ConfigError(
      '--backends-from',
      'Kubernetes mode for spec (--reporter k8s, or VMCP_NAME and VMCP_NAMESPACE in a pod)',
      `spec with reporter ${mode.mode}`,
    );
  }
  if (!fromSpec && options.configFile === undefined && options.backends.length === 0) {
    throw new ConfigError(
      '--config',
      'a config file listing backends (or, in Kubernetes mode, --backends-from spec)',
    );
  }

  let metricsServer: MetricsServer | undefined;
  if (metrics !== undefined && options.metricsAddress !== undefined) {
    metricsServer = await serveMetrics(metrics, options.metricsAddress);
    logger.info({ component: 'metrics', url: metricsServer.url }, 'metrics server listening');
  }
  let healthServer: HealthServer | undefined;
  try {
    healthServer = await listenForProbes(
      probes,
      options.healthAddress,
      options.healthRequired === true,
      logger,
    );
  } catch (err) {
    await metricsServer?.close();
    throw err;
  }

  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  // The process runs until a signal, even when nothing else holds the event loop (no
  // backends to probe, or the spec still unread while a retry waits).
  const { signalled, release: removeSignalHandlers } = untilSignal(signals);

  let backends$: Observable<readonly BackendConfig[]> = of(options.backends);
  // The log reporter's line tells every change already: the monitor's per-backend
  // line would repeat it.
  let monitor: MonitorOptions =
    mode.mode === 'log' ? { transitionLevel: 'debug', ...options.monitor } : options.monitor;
  let intervalMs = options.intervalMs ?? 30_000;
  let aggregation = options.serve.aggregation;
  let callTimeoutMs = options.serve.callTimeoutMs;
  let spec: FollowedVmcpSpec | undefined;
  if (fromSpec && k8sMode !== undefined && kubeConfig !== undefined) {
    spec = followVmcpSpec({
      kubeConfig,
      ref: {
        name: k8sMode.name,
        namespace: k8sMode.namespace,
        ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }),
      },
      logger,
    });
    logger.info(
      { component: 'spec-watch', vmcp: `${k8sMode.namespace}/${k8sMode.name}` },
      'backends come from the VirtualMCPServer spec: reading it',
    );
    const first = await Promise.race([
      spec.first,
      signalled.then((signal) => ({ signal }) as const),
    ]);
    if ('signal' in first) {
      removeSignalHandlers();
      logger.info({ signal: first.signal }, 'stopped before the VirtualMCPServer could be read');
      spec.stop();
      await reporter.stop();
      await metricsServer?.close();
      await healthServer?.close();
      return EXIT_OK;
    }
    monitor = { ...first.monitor, ...monitor };
    intervalMs = options.intervalMs ?? first.reportIntervalMs ?? 30_000;
    // What the file does not set comes from the spec.
    aggregation = hasSettings(options.serve.aggregation)
      ? options.serve.aggregation
      : (first.aggregation ?? {});
    callTimeoutMs = options.serve.callTimeoutMs ?? first.callTimeoutMs;
    backends$ = spec.backends$;
    warnOnRestartOnlyChanges(spec, first, logger);
  }

  // The endpoint, its sessions with the backends, and the one health model that both
  // its calls and the probes (through those sessions) feed.
  const { unhealthyThreshold, circuitBreaker, transitionLevel, ...probing } = monitor;
  const health = new BackendHealthModel({
    unhealthyThreshold,
    circuitBreaker,
    logger,
    ...(transitionLevel === undefined ? {} : { transitionLevel }),
  });
  let server: VmcpServer;
  try {
    server = await VmcpServer.start({
      backends: spec === undefined ? options.backends : await firstBackends(backends$),
      aggregation,
      ...(callTimeoutMs === undefined ? {} : { callTimeoutMs }),
      host: options.serve.host,
      port: options.serve.port,
      health,
      logger,
      serverInfo: { name: k8sMode?.name ?? 'vmcp-status', version: packageVersion() },
      ...(options.serve.allowedHosts === undefined
        ? {}
        : { allowedHosts: options.serve.allowedHosts }),
    });
  } catch (err) {
    removeSignalHandlers();
    spec?.stop();
    await reporter.stop();
    await metricsServer?.close();
    await healthServer?.close();
    throw listenProblem(err, options.serve) ?? err;
  }
  probes.serving(() => server.ready);
  const following =
    spec === undefined
      ? undefined
      : backends$.subscribe((list) => {
          server.setBackends(list);
        });

  const reporting = startStatusReporting({
    backends$,
    reporter,
    reportIntervalMs: intervalMs,
    health: server.health,
    served$: server.served$,
    monitor: {
      ...probing,
      createProber: (backend) =>
        clientProber(server.backendClient(backend.name), {
          ...(probing.probeTimeoutMs === undefined
            ? {}
            : { probeTimeoutMs: probing.probeTimeoutMs }),
          ...(probing.degradedThresholdMs === undefined
            ? {}
            : { degradedThresholdMs: probing.degradedThresholdMs }),
        }),
    },
    logger,
    ...(options.statusRefreshMs === undefined ? {} : { statusRefreshMs: options.statusRefreshMs }),
    ...(metrics === undefined ? {} : { metrics, reporterMeters: mode.mode === 'k8s' }),
  });
  logger.info(
    {
      backends: fromSpec ? 'spec' : options.backends.length,
      url: server.url,
      interval: formatDuration(intervalMs),
      probeInterval: formatDuration(monitor.probeIntervalMs ?? intervalMs),
      reporter: mode.mode,
    },
    'vmcp-status started',
  );

  const ended = await Promise.race([
    signalled.then((signal) => ({ signal }) as const),
    reporting.done.then(
      () => ({ failure: new Error('status reporting ended on its own') }) as const,
      (err: unknown) => ({ failure: err }) as const,
    ),
  ]);
  removeSignalHandlers();
  probes.ended('signal' in ended ? 'stopping' : 'status reporting failed');
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
  following?.unsubscribe();
  spec?.stop();
  await server.close();
  await metricsServer?.close();
  await healthServer?.close();
  for (const signal of signals) process.off(signal, forceExit);
  logger.info('vmcp-status stopped');
  return 'signal' in ended ? EXIT_OK : EXIT_FAILURE;
}

/**
 * Probe settings and the report interval are read once, at start: a later change of
 * them in the spec is logged (backends apply at once; these at the next start).
 */
function warnOnRestartOnlyChanges(
  spec: FollowedVmcpSpec,
  first: VmcpSpecSettings,
  logger: Logger,
): void {
  const key = restartSettingsKey;
  const started = key(first);
  let warned = started;
  spec.spec$.subscribe((reading) => {
    const now = key(reading);
    if (now === warned) return;
    warned = now;
    if (now === started) return;
    logger.warn(
      { component: 'spec-watch', generation: reading.generation },
      'spec.config changed beyond its backends: backend changes apply at once, the other settings when the runtime restarts (the operator rolls its pods)',
    );
  });
}

/** The first backend list of a (replaying) stream: the backends the server starts with. */
function firstBackends(
  backends$: Observable<readonly BackendConfig[]>,
): Promise<readonly BackendConfig[]> {
  return firstValueFrom(backends$);
}

function hasSettings(aggregation: AggregationConfig): boolean {
  return Object.keys(aggregation).length > 0;
}

/** A port that cannot be bound, as the flag to change: `--port: expected a free port…`. */
function listenProblem(
  err: unknown,
  serve: { host: string; port: number },
): ConfigError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return undefined;
  const where = `${serve.host}:${String(serve.port)}`;
  return code === 'EADDRNOTAVAIL'
    ? new ConfigError('--host', 'an address of this machine', serve.host)
    : new ConfigError(
        '--port',
        code === 'EADDRINUSE'
          ? 'a port nothing else listens on (0 picks a free one)'
          : 'a port this user may bind (above 1023 unless privileged)',
        where,
      );
}
