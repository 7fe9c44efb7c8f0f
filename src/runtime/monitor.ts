import {
  EMPTY,
  Observable,
  asyncScheduler,
  catchError,
  defer,
  finalize,
  from,
  map,
  of,
  repeat,
  tap,
  timeout,
  timer,
  Subscription,
  type SchedulerLike,
} from 'rxjs';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import type { BackendHealthEvent } from '../types.js';
import { checkNumber } from '../validate.js';
import { backendConfigChanged, type BackendConfig } from './backend-config.js';
import { BackendHealthTracker, HEALTH_TRACKER_DEFAULTS } from './backend-health-tracker.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { McpProber, PROBE_DEFAULTS } from './mcp-prober.js';
import { probeErrorDetail } from './probe-error-detail.js';
import type { ProbeResult, Prober } from './prober.js';

/** Options of {@link monitorBackends}. */
export interface MonitorOptions {
  /** Time between the end of one probe of a backend and the start of the next. Defaults to 30 000 ms. */
  readonly intervalMs?: number;
  /** One probe's deadline. Defaults to 10 000 ms. */
  readonly timeoutMs?: number;
  /** A successful probe whose `ping` takes longer is `degraded`. Defaults to 5 000 ms. */
  readonly degradedThresholdMs?: number;
  /** Consecutive failures before a backend is `unhealthy`. Defaults to 3. */
  readonly unhealthyThreshold?: number;
  /** A circuit breaker per backend. Defaults to none. */
  readonly circuitBreaker?: CircuitBreakerOptions | undefined;
  /** Probes running at once, over all backends. Defaults to 16. */
  readonly maxConcurrentProbes?: number;
  /** Re-list tools after this many probes without `list_changed`. Defaults to 10. */
  readonly relistToolsEvery?: number;
  /** Builds a backend's prober. Defaults to an {@link McpProber}; tests pass their own. */
  readonly createProber?: (backend: BackendConfig) => Prober;
  /** Health transitions at info (see `transitionLevel`), probe details at debug. Defaults to a silent logger. */
  readonly logger?: Logger;
  /**
   * The level of the per-backend "backend health changed" lines. `debug` when another
   * line already tells each change (the log reporter's), so a terminal shows one line
   * per change. Defaults to `info`.
   */
  readonly transitionLevel?: 'info' | 'debug';
  /** Paces probes and times out slow ones. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The defaults of {@link MonitorOptions}. */
export const MONITOR_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: PROBE_DEFAULTS.timeoutMs,
  degradedThresholdMs: PROBE_DEFAULTS.degradedThresholdMs,
  unhealthyThreshold: HEALTH_TRACKER_DEFAULTS.unhealthyThreshold,
  maxConcurrentProbes: 16,
  relistToolsEvery: PROBE_DEFAULTS.relistToolsEvery,
} as const;

/**
 * Probes every configured backend periodically and emits one health event per probe:
 * the input of `runtimeStatusStream`.
 *
 * - A backend's first probe runs as soon as it is configured, then one every
 *   `intervalMs` after the previous one ended; probes of one backend never overlap.
 * - Backends come and go with `backends$`: a removed backend's probe in flight is
 *   cancelled (its request aborted, its session closed) and it emits nothing more; a
 *   backend whose url, transport or headers change starts over.
 * - Probes of different backends run concurrently, at most `maxConcurrentProbes` at once.
 * - Failure thresholds and the circuit breaker: see {@link BackendHealthTracker}. While a
 *   circuit is open the backend is not probed.
 * - Never completes on its own; unsubscribing stops every probe.
 *
 * ```
 * backends$: a------------b------   (a = [x], b = [x, y])
 * events$:   x----x----x--y-x--y-   (interval 5, probes taking no time)
 * ```
 */
export function monitorBackends(
  backends$: Observable<readonly BackendConfig[]>,
  options: MonitorOptions = {},
): Observable<BackendHealthEvent> {
  const intervalMs = checkNumber('intervalMs', options.intervalMs ?? MONITOR_DEFAULTS.intervalMs, {
    min: 1,
  });
  const timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? MONITOR_DEFAULTS.timeoutMs, {
    min: 1,
  });
  const maxConcurrent = options.maxConcurrentProbes ?? MONITOR_DEFAULTS.maxConcurrentProbes;
  new ConcurrencyLimit(maxConcurrent); // validates
  const scheduler = options.scheduler ?? asyncScheduler;
  // Each component binds `component` once on the root logger: a child of a child
  // would write the key twice on one JSON line.
  const root = options.logger ?? pino({ level: 'silent' });
  const logger = root.child({ component: 'monitor' });
  const transitionLevel = options.transitionLevel ?? 'info';
  const createProber =
    options.createProber ??
    ((backend: BackendConfig) =>
      new McpProber(backend, {
        timeoutMs,
        degradedThresholdMs: options.degradedThresholdMs ?? MONITOR_DEFAULTS.degradedThresholdMs,
        relistToolsEvery: options.relistToolsEvery ?? MONITOR_DEFAULTS.relistToolsEvery,
        logger: root,
      }));
  const trackerOptions = {
    unhealthyThreshold: options.unhealthyThreshold,
    circuitBreaker: options.circuitBreaker,
  };
  // Validates the tracker options once, up front.
  new BackendHealthTracker({ name: 'x', url: 'http://x' }, trackerOptions);

  const timedOut: ProbeResult = {
    outcome: 'failed',
    errorCategory: 'timeout',
    latencyMs: timeoutMs,
  };

  /** One probe, cancelled on unsubscribe, bounded by the timeout. */
  const probeOnce = (prober: Prober): Observable<ProbeResult> =>
    new Observable<ProbeResult>((subscriber) => {
      const controller = new AbortController();
      let settled = false;
      const subscription = from(prober.probe(controller.signal)).subscribe({
        next: (result) => {
          settled = true;
          subscriber.next(result);
          subscriber.complete();
        },
        error: (err: unknown) => {
          settled = true;
          subscriber.error(err);
        },
        complete: () => {
          settled = true;
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        // Cancelled before its result: a removed backend, a timeout, a stop.
        if (!settled) controller.abort(new Error('probe cancelled'));
      };
    }).pipe(
      timeout({ first: timeoutMs, with: () => of(timedOut), scheduler }),
      catchError((err: unknown) =>
        of<ProbeResult>({
          outcome: 'failed',
          errorCategory: 'health_check_failed',
          errorDetail: probeErrorDetail(err),
          latencyMs: 0,
        }),
      ),
    );

  const watchBackend = (backend: BackendConfig, limit: ConcurrencyLimit) =>
    defer(() => {
      const prober = createProber(backend);
      const tracker = new BackendHealthTracker(backend, trackerOptions);
      const once$ = defer(() =>
        tracker.allowProbe(scheduler.now())
          ? limit.run(probeOnce(prober)).pipe(
              map((result) => {
                const previous = tracker.last;
                const event = tracker.record(result, scheduler.now());
                logTransition(logger, transitionLevel, previous, event);
                return event;
              }),
            )
          : EMPTY,
      );
      return once$.pipe(
        repeat({
          delay: () => timer(tracker.nextProbeDelayMs(scheduler.now(), intervalMs), scheduler),
        }),
        finalize(() => {
          void prober.close().catch(() => undefined);
        }),
      );
    });

  return new Observable<BackendHealthEvent>((subscriber) => {
    const limit = new ConcurrencyLimit(maxConcurrent);
    const watched = new Map<string, { config: BackendConfig; subscription: Subscription }>();
    const unwatch = (name: string): void => {
      watched.get(name)?.subscription.unsubscribe();
      watched.delete(name);
    };
    const configs = backends$
      .pipe(
        tap((list) => {
          const next = new Map(list.map((backend) => [backend.name, backend]));
          for (const [name, entry] of watched) {
            const config = next.get(name);
            if (config === undefined || backendConfigChanged(entry.config, config)) {
              logger.info({ backend: name }, config ? 'backend changed' : 'backend removed');
              unwatch(name);
            }
          }
          for (const [name, config] of next) {
            if (watched.has(name)) continue;
            logger.debug({ backend: name }, 'watching backend');
            const subscription = new Subscription();
            watched.set(name, { config, subscription });
            subscription.add(
              watchBackend(config, limit).subscribe({
                next: (event) => {
                  subscriber.next(event);
                },
                error: (err: unknown) => {
                  subscriber.error(err);
                },
              }),
            );
          }
        }),
      )
      .subscribe({
        error: (err: unknown) => {
          subscriber.error(err);
        },
      });
    return () => {
      configs.unsubscribe();
      for (const name of [...watched.keys()]) unwatch(name);
    };
  });
}

function logTransition(
  logger: Logger,
  level: 'info' | 'debug',
  previous: BackendHealthEvent | undefined,
  event: BackendHealthEvent,
): void {
  const fields = {
    backend: event.name,
    status: event.status,
    consecutiveFailures: event.consecutiveFailures,
    toolCount: event.toolCount,
    latencyMs: Math.round(event.latencyMs ?? 0),
    ...(event.errorCategory === undefined ? {} : { errorCategory: event.errorCategory }),
    ...(event.circuitBreakerState === undefined
      ? {}
      : { circuitBreakerState: event.circuitBreakerState }),
  };
  if (
    previous?.status !== event.status ||
    previous.circuitBreakerState !== event.circuitBreakerState
  ) {
    logger[level](
      { ...fields, ...(previous === undefined ? {} : { previousStatus: previous.status }) },
      'backend health changed',
    );
  } else {
    logger.debug(fields, 'backend probed');
  }
  if (event.errorDetail !== undefined) {
    logger.debug({ backend: event.name, errorDetail: event.errorDetail }, 'probe error detail');
  }
}
