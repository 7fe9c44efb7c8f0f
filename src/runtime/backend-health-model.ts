import { Observable, Subject } from 'rxjs';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import type { BackendHealthEvent } from '../types.js';
import { backendConfigChanged, type BackendConfig } from './backend-config.js';
import {
  BackendHealthTracker,
  HEALTH_TRACKER_DEFAULTS,
  type HealthTrackerOptions,
} from './backend-health-tracker.js';
import type { CallOutcome } from './call-outcome.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { ProbeResult } from './prober.js';

/** Options of {@link BackendHealthModel}. */
export interface BackendHealthModelOptions {
  /** Consecutive failures (probes and calls alike) before a backend is `unhealthy`. Defaults to 3. */
  readonly unhealthyThreshold?: number;
  /** A circuit breaker per backend. Defaults to none. */
  readonly circuitBreaker?: CircuitBreakerOptions | undefined;
  /** Health transitions at `transitionLevel`, everything else at debug. Defaults to a silent logger. */
  readonly logger?: Logger;
  /**
   * The level of the per-backend "backend health changed" lines: `debug` when another
   * line already tells each change (the log reporter's). Defaults to `info`.
   */
  readonly transitionLevel?: 'info' | 'debug';
  /** The clock, in ms since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** The defaults of {@link BackendHealthModelOptions}. */
export const HEALTH_MODEL_DEFAULTS = {
  unhealthyThreshold: HEALTH_TRACKER_DEFAULTS.unhealthyThreshold,
} as const;

/**
 * The one health model of a vMCP: its probes and the outcomes of its real calls to a
 * backend go into the same per-backend state, under the same rules (thresholds,
 * recovery through `degraded`, the circuit breaker, error categories; the table is in
 * docs/embedding.md), and come out as one stream of {@link BackendHealthEvent}s, the
 * input of `runtimeStatusStream`.
 *
 * ```ts
 * const health = new BackendHealthModel({ unhealthyThreshold: 3 });
 * health.setBackends([{ name: 'github', url }]);
 * try {
 *   const result = await client.callTool(params, undefined, { timeout: 30_000 });
 *   health.recordCall('github', { kind: 'success' }); // isError results too
 * } catch (err) {
 *   health.recordCall('github', classifyCallError(err)); // from 'vmcp-status/mcp'
 * }
 * ```
 *
 * Only configured backends are tracked: a record for another name is ignored
 * (`undefined`). A backend whose url, transport or headers change starts over.
 * Synchronous and cheap: safe to call on every request.
 */
export class BackendHealthModel {
  readonly #trackerOptions: HealthTrackerOptions;
  readonly #logger: Logger;
  readonly #transitionLevel: 'info' | 'debug';
  readonly #now: () => number;
  readonly #backends = new Map<string, { config: BackendConfig; tracker: BackendHealthTracker }>();
  readonly #events = new Subject<BackendHealthEvent>();

  /**
   * Every health event as it happens (hot). A subscriber first gets the latest event of
   * every backend that has one, so it starts from the model's current state.
   *
   * ```
   * recordCall/Probe:  --a1--b1---a2--|   (complete())
   * events$ (early):   --a1--b1---a2--|
   * events$ (at b1+):  ------(a1b1)a2--|
   * ```
   */
  readonly events$: Observable<BackendHealthEvent>;

  constructor(options: BackendHealthModelOptions = {}) {
    this.#trackerOptions = {
      unhealthyThreshold: options.unhealthyThreshold,
      circuitBreaker: options.circuitBreaker,
    };
    // Validates the options once, up front.
    new BackendHealthTracker({ name: 'x', url: 'http://x' }, this.#trackerOptions);
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'health' });
    this.#transitionLevel = options.transitionLevel ?? 'info';
    this.#now = options.now ?? Date.now;
    this.events$ = new Observable<BackendHealthEvent>((subscriber) => {
      for (const { tracker } of this.#backends.values()) {
        if (tracker.last !== undefined) subscriber.next(tracker.last);
      }
      return this.#events.subscribe(subscriber);
    });
  }

  /** The configured backends. A removed backend is forgotten; a changed one starts over. */
  setBackends(backends: readonly BackendConfig[]): void {
    const next = new Map(backends.map((backend) => [backend.name, backend]));
    for (const [name, entry] of this.#backends) {
      const config = next.get(name);
      if (config === undefined || backendConfigChanged(entry.config, config)) {
        this.#backends.delete(name);
      }
    }
    for (const [name, config] of next) {
      if (!this.#backends.has(name)) {
        this.#backends.set(name, {
          config,
          tracker: new BackendHealthTracker(config, this.#trackerOptions),
        });
      }
    }
  }

  /** The configured backends' names. */
  get backendNames(): readonly string[] {
    return [...this.#backends.keys()];
  }

  /** Records one probe of a backend; `undefined` when the backend is not configured. */
  recordProbe(name: string, result: ProbeResult): BackendHealthEvent | undefined {
    const tracker = this.#backends.get(name)?.tracker;
    if (tracker === undefined) return undefined;
    const previous = tracker.last;
    return this.#emit(previous, tracker.record(result, this.#now()));
  }

  /**
   * Records how one real call to a backend ended; `undefined` when the backend is not
   * configured. See {@link CallOutcome} for what counts as a failure.
   */
  recordCall(name: string, outcome: CallOutcome): BackendHealthEvent | undefined {
    const tracker = this.#backends.get(name)?.tracker;
    if (tracker === undefined) return undefined;
    const previous = tracker.last;
    return this.#emit(previous, tracker.recordCall(outcome, this.#now()));
  }

  /** The backend's latest health event, if it has one. */
  health(name: string): BackendHealthEvent | undefined {
    return this.#backends.get(name)?.tracker.last;
  }

  /**
   * Whether calls may go to the backend now: it is configured and its circuit is not
   * open (an open circuit lets the trial probe through, not traffic).
   */
  allowsTraffic(name: string): boolean {
    const tracker = this.#backends.get(name)?.tracker;
    return tracker !== undefined && !tracker.circuitOpen;
  }

  /** Whether a probe of the backend may run now (false while its circuit is open). */
  allowProbe(name: string): boolean {
    return this.#backends.get(name)?.tracker.allowProbe(this.#now()) ?? false;
  }

  /** When to probe the backend next: after `intervalMs`, or once its open circuit allows. */
  nextProbeDelayMs(name: string, intervalMs: number): number {
    return (
      this.#backends.get(name)?.tracker.nextProbeDelayMs(this.#now(), intervalMs) ?? intervalMs
    );
  }

  /** Ends {@link events$}; records after this are still kept but emit nothing. */
  complete(): void {
    this.#events.complete();
  }

  #emit(previous: BackendHealthEvent | undefined, event: BackendHealthEvent): BackendHealthEvent {
    logTransition(this.#logger, this.#transitionLevel, previous, event);
    this.#events.next(event);
    return event;
  }
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
    logger.debug(fields, 'backend checked');
  }
  if (event.errorDetail !== undefined) {
    logger.debug({ backend: event.name, errorDetail: event.errorDetail }, 'backend error detail');
  }
}
