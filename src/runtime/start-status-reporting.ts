import {
  ReplaySubject,
  Subject,
  asyncScheduler,
  map,
  share,
  shareReplay,
  takeUntil,
  tap,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import { reportStatus } from '../reactive/report-status.js';
import { runtimeStatusStream } from '../reactive/runtime-status-stream.js';
import type { Reporter } from '../reporter.js';
import type { ServedCatalogue } from '../reactive/derive-runtime-status.js';
import type { BackendHealthEvent, RuntimeStatus } from '../types.js';
import { checkNumber } from '../validate.js';
import type { BackendConfig } from './backend-config.js';
import { MeteredReporter } from './metered-reporter.js';
import type { BackendHealthModel } from './backend-health-model.js';
import type { StatusMetrics } from './metrics.js';
import { MONITOR_DEFAULTS, monitorBackends, type MonitorOptions } from './monitor.js';

/** Options of {@link startStatusReporting}. */
export interface StatusReportingOptions {
  /** The backends to monitor. Emit a new list to add, change or remove backends at run time. */
  readonly backends$: Observable<readonly BackendConfig[]>;
  /** Where statuses go: see `createReporter`. */
  readonly reporter: Reporter;
  /**
   * The report interval: detail changes are reported at most once per interval (phase
   * changes at once, see `runtimeStatusStream`); also the probe interval unless
   * `monitor.probeIntervalMs` says otherwise. Defaults to 30 000 ms.
   */
  readonly reportIntervalMs?: number;
  /**
   * The health model shared with the vMCP's own calls: give it, and record each real
   * call's outcome into it (`health.recordCall`), so the status counts what clients
   * see. Its settings (threshold, circuit breaker) are then the model's. Defaults to a
   * model of the monitor's own, fed by probes only.
   */
  readonly health?: BackendHealthModel;
  /**
   * What the vMCP serves, by backend: tool counts in the status then are the served
   * ones (see `runtimeStatusStream`). Defaults to none (each backend's probed count).
   */
  readonly served$?: Observable<ServedCatalogue>;
  /** Probe settings: interval, timeout, thresholds, circuit breaker, concurrency, prober. */
  readonly monitor?: MonitorOptions;
  /** Defaults to a silent logger. */
  readonly logger?: Logger;
  /** Prometheus metrics to keep current (`vmcp-status/metrics`). Defaults to none. */
  readonly metrics?: StatusMetrics;
  /**
   * The reporter meters its own writes through `metrics.reporterHooks` (the Kubernetes
   * reporter does when given them). Defaults to false: writes are metered here.
   */
  readonly reporterMeters?: boolean;
  /**
   * How often at most the status is written although nothing but check times changed:
   * the pipeline re-derives the status after this long without a change, so the reporter
   * sees current check times. 0 turns it off. Give the same value to the reporter
   * (`createReporter({ statusRefreshMs })`). Defaults to 300 000 ms (5 minutes).
   */
  readonly statusRefreshMs?: number;
  /** Phase changes reported at once in a burst (see `runtimeStatusStream`). Defaults to 3. */
  readonly urgentBurst?: number;
  /** One more phase change may be reported at once every this many ms. Defaults to `reportIntervalMs`. */
  readonly urgentRefillMs?: number;
  /** How long {@link StatusReportingHandle.stop} waits for the last report. Defaults to 10 000 ms. */
  readonly stopTimeoutMs?: number;
  /** Paces probes and reports. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** What {@link startStatusReporting} returns. */
export interface StatusReportingHandle {
  /**
   * Every status the runtime derives (the same ones the reporter gets), the latest
   * replayed to a late subscriber. Completes after {@link stop}.
   */
  readonly status$: Observable<RuntimeStatus>;
  /** Every probe's health event, as it happens. Completes after {@link stop}. */
  readonly health$: Observable<BackendHealthEvent>;
  /**
   * Settles when reporting ends: resolves after {@link stop}, rejects when reporting
   * failed (the reporter did not start, or `backends$` errored).
   */
  readonly done: Promise<void>;
  /**
   * Stops probing, reports the status still pending (bounded by `stopTimeoutMs`), then
   * stops the reporter, which flushes its own writes. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/**
 * Monitors MCP backends and reports the runtime's status, in the background: it
 * returns at once and never blocks the caller.
 *
 * backends$ → `monitorBackends` (probes into the health model, which the vMCP's own
 * calls feed too) → `runtimeStatusStream` (keyed state, only stable changes, phase
 * changes at once, details paced on the interval) → `reporter`, one report at a time,
 * the latest status winning.
 *
 * ```ts
 * const { reporter } = await createReporter({ name: 'demo', namespace: 'default' });
 * const reporting = startStatusReporting({
 *   backends$: of([{ name: 'github', url: 'http://127.0.0.1:8080/mcp' }]),
 *   reporter,
 *   reportIntervalMs: 30_000,
 * });
 * reporting.status$.subscribe((status) => console.log(status.phase));
 * process.once('SIGTERM', () => void reporting.stop());
 * ```
 */
export function startStatusReporting(options: StatusReportingOptions): StatusReportingHandle {
  const intervalMs = checkNumber('reportIntervalMs', options.reportIntervalMs ?? 30_000, {
    min: 1,
  });
  const stopTimeoutMs = checkNumber('stopTimeoutMs', options.stopTimeoutMs ?? 10_000);
  const refreshMs = checkNumber('statusRefreshMs', options.statusRefreshMs ?? 300_000);
  const scheduler = options.scheduler ?? asyncScheduler;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'status-reporting',
  });
  const monitorOptions: MonitorOptions = {
    probeIntervalMs: intervalMs,
    scheduler,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.health === undefined ? {} : { health: options.health }),
    ...options.monitor,
  };
  const { metrics } = options;
  const metered =
    metrics === undefined
      ? undefined
      : new MeteredReporter(options.reporter, metrics, {
          innerMeters: options.reporterMeters ?? false,
        });
  const reporter: Reporter = metered ?? options.reporter;

  const stop$ = new ReplaySubject<void>(1);
  // One subscription to the caller's backends for both the configured names and the
  // monitor. The names subscribe first, so a new backend is configured before its
  // first check arrives.
  const backends$ = options.backends$.pipe(
    takeUntil(stop$),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  const health = new Subject<BackendHealthEvent>();
  const checks$ = monitorBackends(backends$, monitorOptions).pipe(
    takeUntil(stop$),
    tap({
      next: (event) => {
        metrics?.observeProbe(event);
        health.next(event);
      },
      complete: () => {
        health.complete();
      },
    }),
    share(),
  );
  const statuses = new ReplaySubject<RuntimeStatus>(1);
  const pipeline = runtimeStatusStream(
    checks$,
    backends$.pipe(map((list) => list.map((backend) => backend.name))),
    {
      reportIntervalMs: intervalMs,
      firstCheckTimeoutMs: monitorOptions.probeTimeoutMs ?? MONITOR_DEFAULTS.probeTimeoutMs,
      // After a refresh period without a change, the status again with fresh check
      // times: the reporter writes it when its own last write is as old.
      statusRefreshMs: refreshMs,
      ...(options.urgentBurst === undefined ? {} : { urgentBurst: options.urgentBurst }),
      ...(options.urgentRefillMs === undefined ? {} : { urgentRefillMs: options.urgentRefillMs }),
      ...(options.served$ === undefined ? {} : { served$: options.served$.pipe(takeUntil(stop$)) }),
      scheduler,
    },
  )
    .pipe(
      tap((status) => {
        metrics?.observeStatus(status);
        metered?.offered(status);
      }),
    )
    .subscribe(statuses);

  const hardStop = new AbortController();
  const done = (async () => {
    try {
      await options.reporter.start(intervalMs, hardStop.signal);
      logger.debug({ intervalMs }, 'status reporting started');
      await reportStatus(statuses, reporter, {
        signal: hardStop.signal,
        onError: (err) => {
          logger.error({ err }, 'status report failed');
        },
      });
    } catch (err) {
      pipeline.unsubscribe();
      throw err;
    }
  })();
  // Nobody may be listening yet; the caller sees failures through `done`.
  done.catch(() => undefined);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stop$.next();
      stop$.complete();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, stopTimeoutMs);
      });
      const result = await Promise.race([
        done.then(
          () => 'done' as const,
          () => 'failed' as const,
        ),
        timedOut,
      ]);
      clearTimeout(timer);
      if (result === 'timeout') {
        logger.warn({ stopTimeoutMs }, 'the last status report did not finish in time');
        hardStop.abort();
        pipeline.unsubscribe();
        statuses.complete();
        health.complete();
      }
      await options.reporter.stop().catch((err: unknown) => {
        logger.error({ err }, 'stopping the reporter failed');
      });
    })();
    return stopping;
  };

  return { status$: statuses.asObservable(), health$: health.asObservable(), done, stop };
}
