import { asyncScheduler, interval, type SchedulerLike, type Subscription } from 'rxjs';
import type { DestinationStream } from 'pino';
import { ConfigError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { ReportOutcome, Reporter } from '../reporter.js';
import type { RuntimeStatus } from '../types.js';
import { checkNumber } from '../validate.js';
import { backendChanges, runtimeStatusChanged } from './status-diff.js';

/** Options of {@link LogReporter}. */
export interface LogReporterOptions {
  /**
   * Any pino logger: lines go wherever it writes. Defaults to {@link createLogger}'s
   * logger on `destination`.
   */
  readonly logger?: Logger;
  /**
   * Where lines go when no `logger` is given: a pino destination stream, or a file
   * descriptor. Defaults to 2, stderr: an embedded vMCP serving MCP over stdio owns
   * stdout, and one status line there would corrupt its protocol.
   */
  readonly destination?: DestinationStream | 1 | 2;
  /** Paces the periodic summary. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** At most this many backend changes are listed on one line; the rest are counted. Defaults to 20. */
  readonly maxListedChanges?: number;
  /** How often the summary line goes out after `start`. Defaults to the interval `start` is given. */
  readonly summaryIntervalMs?: number | undefined;
}

/**
 * Reports status to the log: one info line per change (phase, counts, which backends
 * changed and how), nothing for a status that did not change, and after `start` a
 * periodic summary line. On a terminal each reads as one line of text (see
 * `humanLogLine`). Raw backend error text only at debug level.
 *
 * The sink on a laptop, and the fallback while the Kubernetes API is unreachable.
 */
export class LogReporter implements Reporter {
  readonly #logger: Logger;
  readonly #scheduler: SchedulerLike;
  readonly #maxListed: number;
  readonly #summaryMs: number | undefined;
  #last: RuntimeStatus | undefined;
  #summary: Subscription | undefined;

  constructor(options: LogReporterOptions = {}) {
    if (options.logger !== undefined && options.destination !== undefined) {
      throw new ConfigError('destination', 'unset when a logger is given (the logger says where)');
    }
    this.#logger = (
      options.logger ?? createLogger({ destination: options.destination ?? 2 })
    ).child({ component: 'log-reporter' });
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#maxListed = options.maxListedChanges ?? 20;
    this.#summaryMs =
      options.summaryIntervalMs === undefined
        ? undefined
        : checkNumber('summaryIntervalMs', options.summaryIntervalMs, { min: 1 });
  }

  /** The last status it logged. */
  get lastReported(): RuntimeStatus | undefined {
    return this.#last;
  }

  report(status: RuntimeStatus): Promise<ReportOutcome> {
    const previous = this.#last;
    if (!runtimeStatusChanged(previous, status)) {
      this.#logger.debug({ phase: status.phase }, 'runtime status unchanged');
      return Promise.resolve('unchanged');
    }
    this.#last = status;
    const changes = backendChanges(previous?.backends ?? [], status.backends);
    this.#logger.info(
      {
        phase: status.phase,
        ...(previous !== undefined && previous.phase !== status.phase
          ? { previousPhase: previous.phase }
          : {}),
        statusMessage: status.message,
        configuredBackends: status.backends.length,
        backendCount: status.backendCount,
        healthyBackends: status.healthyBackends,
        unhealthyBackends: status.unhealthyBackends,
        totalToolCount: status.totalToolCount,
        changes: changes.slice(0, this.#maxListed),
        ...(changes.length > this.#maxListed
          ? { moreChanges: changes.length - this.#maxListed }
          : {}),
      },
      'runtime status changed',
    );
    if (this.#logger.isLevelEnabled('debug')) {
      const changed = new Set(changes.map((c) => c.name));
      for (const backend of status.backends) {
        if (backend.errorDetail !== undefined && changed.has(backend.name)) {
          this.#logger.debug(
            { backend: backend.name, errorDetail: backend.errorDetail },
            'backend error detail',
          );
        }
      }
    }
    return Promise.resolve('applied');
  }

  start(reportIntervalMs: number): Promise<void> {
    this.#summary?.unsubscribe();
    this.#summary = interval(this.#summaryMs ?? reportIntervalMs, this.#scheduler).subscribe(() => {
      this.#logSummary();
    });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#summary?.unsubscribe();
    this.#summary = undefined;
    return Promise.resolve();
  }

  #logSummary(): void {
    const status = this.#last;
    if (status === undefined) {
      this.#logger.info({ phase: 'Pending' }, 'runtime status summary: nothing reported yet');
      return;
    }
    this.#logger.info(
      {
        phase: status.phase,
        statusMessage: status.message,
        configuredBackends: status.backends.length,
        backendCount: status.backendCount,
        healthyBackends: status.healthyBackends,
        unhealthyBackends: status.unhealthyBackends,
        totalToolCount: status.totalToolCount,
      },
      'runtime status summary',
    );
  }
}
