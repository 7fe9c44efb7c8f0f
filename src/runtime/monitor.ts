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
  share,
  timeout,
  timer,
  Subscription,
  type SchedulerLike,
} from 'rxjs';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BackendHealthEvent } from '../types.js';
import { checkNumber } from '../validate.js';
import { backendConfigChanged, type BackendConfig } from './backend-config.js';
import { BackendHealthModel, HEALTH_MODEL_DEFAULTS } from './backend-health-model.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { LazyMcpProber } from './lazy-mcp-prober.js';
import { probeErrorDetail } from './probe-error-detail.js';
import type { ProbeResult, Prober } from './prober.js';

/** Options of {@link monitorBackends}. */
export interface MonitorOptions {
  /** Time between the end of one probe of a backend and the start of the next. Defaults to 30 000 ms. */
  readonly probeIntervalMs?: number;
  /** One probe's deadline. Defaults to 10 000 ms. */
  readonly probeTimeoutMs?: number;
  /** A successful probe whose `ping` takes longer is `degraded`. Defaults to 5 000 ms. */
  readonly degradedThresholdMs?: number;
  /**
   * The health model the probes feed, shared with the embedder's own call outcomes.
   * Defaults to a model of its own, built from `unhealthyThreshold`, `circuitBreaker`
   * and `logger` (which must then not be set here: they belong to the model).
   */
  readonly health?: BackendHealthModel;
  /** Consecutive failures before a backend is `unhealthy`. Defaults to 3. Not with `health`. */
  readonly unhealthyThreshold?: number;
  /** A circuit breaker per backend. Defaults to none. Not with `health`. */
  readonly circuitBreaker?: CircuitBreakerOptions | undefined;
  /** Probes running at once, over all backends. Defaults to 16. */
  readonly maxConcurrentProbes?: number;
  /** Re-list tools after this many probes without `list_changed`. Defaults to 10. */
  readonly relistToolsEvery?: number;
  /**
   * Builds a backend's prober. Defaults to an `McpProber` (a session of its own per
   * backend; the MCP SDK loads at the first probe). A vMCP that already holds a session
   * per backend probes through it: `clientProber` from `vmcp-status/mcp`.
   */
  readonly createProber?: (backend: BackendConfig) => Prober;
  /** Health transitions at info (see `transitionLevel`), probe details at debug. Defaults to a silent logger. */
  readonly logger?: Logger;
  /**
   * The level of the per-backend "backend health changed" lines. `debug` when another
   * line already tells each change (the log reporter's), so a terminal shows one line
   * per change. Defaults to `info`. Not with `health`.
   */
  readonly transitionLevel?: 'info' | 'debug';
  /** Paces probes and times out slow ones; its clock is the model's when the monitor builds one. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The defaults of {@link MonitorOptions}. */
export const MONITOR_DEFAULTS = {
  probeIntervalMs: 30_000,
  probeTimeoutMs: 10_000,
  degradedThresholdMs: 5_000,
  unhealthyThreshold: HEALTH_MODEL_DEFAULTS.unhealthyThreshold,
  maxConcurrentProbes: 16,
  relistToolsEvery: 10,
} as const;

/**
 * Probes every configured backend periodically into a {@link BackendHealthModel} and
 * emits the model's health events (the probes', and the calls an embedder records
 * into a shared model): the input of `runtimeStatusStream`.
 *
 * - A backend's first probe runs as soon as it is configured, then one every
 *   `probeIntervalMs` after the previous one ended; probes of one backend never overlap.
 * - Backends come and go with `backends$` (the model is configured from it): a removed
 *   backend's probe in flight is cancelled (its request aborted) and it emits nothing
 *   more; a backend whose url, transport or headers change starts over.
 * - Probes of different backends run concurrently, at most `maxConcurrentProbes` at once.
 * - Failure thresholds, recovery and the circuit breaker: see {@link BackendHealthModel}.
 *   While a circuit is open the backend is not probed.
 * - Hot: one set of probes however many subscribe; a later subscriber starts from each
 *   backend's latest event. Never completes on its own; when the last subscriber leaves,
 *   every probe stops.
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
  const intervalMs = checkNumber(
    'probeIntervalMs',
    options.probeIntervalMs ?? MONITOR_DEFAULTS.probeIntervalMs,
    { min: 1 },
  );
  const timeoutMs = checkNumber(
    'probeTimeoutMs',
    options.probeTimeoutMs ?? MONITOR_DEFAULTS.probeTimeoutMs,
    { min: 1 },
  );
  checkSharedModel(options);
  const maxConcurrent = options.maxConcurrentProbes ?? MONITOR_DEFAULTS.maxConcurrentProbes;
  new ConcurrencyLimit(maxConcurrent); // validates
  const scheduler = options.scheduler ?? asyncScheduler;
  const root = options.logger;
  const health = options.health ?? ownModel(options, scheduler);
  const createProber =
    options.createProber ??
    ((backend: BackendConfig) =>
      new LazyMcpProber(backend, {
        probeTimeoutMs: timeoutMs,
        degradedThresholdMs: options.degradedThresholdMs ?? MONITOR_DEFAULTS.degradedThresholdMs,
        relistToolsEvery: options.relistToolsEvery ?? MONITOR_DEFAULTS.relistToolsEvery,
        ...(root === undefined ? {} : { logger: root }),
      }));

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

  const probeBackend = (backend: BackendConfig, limit: ConcurrencyLimit): Observable<void> =>
    defer(() => {
      const prober = createProber(backend);
      const once$ = defer(() =>
        health.allowProbe(backend.name)
          ? limit.run(probeOnce(prober)).pipe(
              map((result) => {
                // Every prober's failures are logged here, at debug, in safe words only:
                // the category and the redacted detail, never the error's own text.
                if (result.outcome === 'failed') {
                  root?.debug(
                    {
                      component: 'monitor',
                      backend: backend.name,
                      errorCategory: result.errorCategory,
                      errorDetail: result.errorDetail,
                      latencyMs: Math.round(result.latencyMs),
                    },
                    'probe failed',
                  );
                }
                health.recordProbe(backend.name, result);
              }),
            )
          : EMPTY,
      );
      return once$.pipe(
        repeat({
          delay: () => timer(health.nextProbeDelayMs(backend.name, intervalMs), scheduler),
        }),
        finalize(() => {
          void prober.close().catch(() => undefined);
        }),
      );
    });

  const probing$ = new Observable<never>((subscriber) => {
    const limit = new ConcurrencyLimit(maxConcurrent);
    const probing = new Map<string, { config: BackendConfig; subscription: Subscription }>();
    const stopProbing = (name: string): void => {
      probing.get(name)?.subscription.unsubscribe();
      probing.delete(name);
    };
    const configs = backends$.subscribe({
      next: (list) => {
        health.setBackends(list);
        const next = new Map(list.map((backend) => [backend.name, backend]));
        for (const [name, entry] of probing) {
          const config = next.get(name);
          if (config === undefined || backendConfigChanged(entry.config, config)) {
            root?.info(
              { component: 'monitor', backend: name },
              config ? 'backend changed' : 'backend removed',
            );
            stopProbing(name);
          }
        }
        for (const [name, config] of next) {
          if (probing.has(name)) continue;
          root?.debug({ component: 'monitor', backend: name }, 'watching backend');
          probing.set(name, {
            config,
            subscription: probeBackend(config, limit).subscribe({
              error: (err: unknown) => {
                subscriber.error(err);
              },
            }),
          });
        }
      },
      error: (err: unknown) => {
        subscriber.error(err);
      },
    });
    return () => {
      configs.unsubscribe();
      for (const name of [...probing.keys()]) stopProbing(name);
    };
  });

  // The model's events carry the probes' results (and the embedder's calls); probing
  // runs while someone listens. Subscribing to the events first means no probe's
  // event is missed.
  return new Observable<BackendHealthEvent>((subscriber) => {
    const events = health.events$.subscribe(subscriber);
    const probing = probing$.subscribe({
      error: (err: unknown) => {
        subscriber.error(err);
      },
    });
    return () => {
      probing.unsubscribe();
      events.unsubscribe();
    };
  }).pipe(share());
}

/** The monitor's own model, from its options. */
function ownModel(options: MonitorOptions, scheduler: SchedulerLike): BackendHealthModel {
  return new BackendHealthModel({
    unhealthyThreshold: options.unhealthyThreshold,
    circuitBreaker: options.circuitBreaker,
    now: () => scheduler.now(),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.transitionLevel === undefined ? {} : { transitionLevel: options.transitionLevel }),
  });
}

/** The model's own settings cannot also be given to the monitor that shares it. */
function checkSharedModel(options: MonitorOptions): void {
  if (options.health === undefined) return;
  for (const field of ['unhealthyThreshold', 'circuitBreaker', 'transitionLevel'] as const) {
    if (options[field] !== undefined) {
      throw new ConfigError(
        field,
        'unset when `health` is given (set it on the BackendHealthModel)',
      );
    }
  }
}
