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
import type { BackendHealthEvent, RuntimeStatus } from '../types.js';
import { checkNumber } from '../validate.js';
import type { BackendConfig } from './backend-config.js';
import { MeteredReporter } from './metered-reporter.js';
import type { StatusMetrics } from './metrics.js';
import { MONITOR_DEFAULTS, monitorBackends, type MonitorOptions } from './monitor.js';
import { toMilliseconds } from './parse-duration.js';

/** Options of {@link startStatusReporting}. */
export interface StatusReportingOptions {
  /** The backends to monitor. Emit a new list to add, change or remove backends at run time. */
  readonly backends$: Observable<readonly BackendConfig[]>;
  /** Where statuses go: see `createReporter`. */
  readonly reporter: Reporter;
  /**
   * The report interval (at most one report per interval), as milliseconds or a
   * duration such as `30s`; also the probe interval unless `monitor.intervalMs` says
   * otherwise. Defaults to 30 s.
   */
  readonly interval?: number | string;
  /** Probe settings: interval, timeout, thresholds, circuit breaker, concurrency. */
  readonly monitor?: MonitorOptions;
  /** Defaults to a silent logger. */
  readonly logger?: Logger;
  /** Prometheus metrics to keep current. Defaults to none. */
  readonly metrics?: StatusMetrics;
  /**
   * The reporter meters its own writes through `metrics.reporterHooks` (the Kubernetes
   * reporter does when given them). Defaults to false: writes are metered here.
   */
  readonly reporterMeters?: boolean;
  /**
   * How often at most the status is written although nothing but check times changed
   * (as milliseconds or a duration such as `5m`); the pipeline re-derives the status
   * after that long without a change, so the reporter sees current check times. 0
   * turns it off.
   * Give the same value to the reporter (`createReporter({ statusRefreshMs })`).
   * Defaults to 5 minutes.
   */
  readonly statusRefresh?: number | string;
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
 * backends$ → `monitorBackends` (probes) → `runtimeStatusStream` (keyed state, only
 * stable changes, paced leading + trailing on the interval) → `reporter`, one report
 * at a time, the latest status winning.
 *
 * ```ts
 * const { reporter } = createReporter();
 * const reporting = startStatusReporting({
 *   backends$: of([{ name: 'github', url: 'http://127.0.0.1:8080/mcp' }]),
 *   reporter,
 *   interval: '30s',
 * });
 * reporting.status$.subscribe((status) => console.log(status.phase));
 * process.once('SIGTERM', () => void reporting.stop());
 * ```
 */
export function startStatusReporting(options: StatusReportingOptions): StatusReportingHandle {
  const intervalMs = toMilliseconds('interval', options.interval ?? 30_000);
  checkNumber('interval', intervalMs, { min: 1 });
  const stopTimeoutMs = checkNumber('stopTimeoutMs', options.stopTimeoutMs ?? 10_000);
  const refreshMs = toMilliseconds('statusRefresh', options.statusRefresh ?? 300_000);
  checkNumber('statusRefresh', refreshMs);
  const scheduler = options.scheduler ?? asyncScheduler;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'status-reporting',
  });
  const monitorOptions: MonitorOptions = {
    intervalMs,
    scheduler,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
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
      firstCheckTimeoutMs: monitorOptions.timeoutMs ?? MONITOR_DEFAULTS.timeoutMs,
      // After a refresh period without a change, the status again with fresh check
      // times: the reporter writes it when its own last write is as old.
      resyncMs: refreshMs,
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
