import type { RuntimeStatus } from './types.js';

/**
 * A sink for runtime status: the Kubernetes status subresource, a log, or nothing.
 *
 * Callers send one status at a time (see `reportStatus`); a reporter decides what to
 * do with repeats, failures and outages, and never throws for those: a rejected
 * promise means the reporter itself is broken.
 */
export interface Reporter {
  /** Reports one status. Resolves once it is written, skipped as unchanged, or superseded. */
  report(status: RuntimeStatus, signal?: AbortSignal): Promise<void>;
  /**
   * Starts background work (periodic summaries, watches, drift repair) paced on
   * `intervalMs`, the report interval. Resolves once started.
   */
  start(intervalMs: number, signal?: AbortSignal): Promise<void>;
  /** Stops background work and flushes the latest pending status, bounded by a timeout. */
  stop(): Promise<void>;
}

/** A reporter that does nothing: for tests and when reporting is disabled. */
export class NoopReporter implements Reporter {
  /** How many statuses it was given: lets tests see that reporting happened. */
  reportCount = 0;

  report(_status: RuntimeStatus): Promise<void> {
    this.reportCount++;
    return Promise.resolve();
  }

  start(_intervalMs: number): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
