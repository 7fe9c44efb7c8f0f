import type { RuntimeStatus } from './types.js';

/**
 * What became of one status given to {@link Reporter.report}; logs, the
 * `vmcp_status_reports_total{outcome}` label and tests use this one list.
 *
 * - `applied`: written (or, for a log, logged).
 * - `unchanged`: equal in every owned, stable field to what stands: nothing sent.
 * - `conflated`: a newer status took its place before it was written.
 * - `deferred`: not written yet: a retry, the write Lease or the object's return will
 *   write the newest status later (meanwhile the fallback log has it).
 * - `failed`: refused for good (RBAC, schema); tried again once per report interval.
 */
export type ReportOutcome = 'applied' | 'unchanged' | 'conflated' | 'deferred' | 'failed';

/** Every report outcome, in the order above: metrics pre-create a series for each. */
export const REPORT_OUTCOMES: readonly ReportOutcome[] = [
  'applied',
  'unchanged',
  'conflated',
  'deferred',
  'failed',
];

/**
 * A sink for runtime status: the Kubernetes status subresource, a log, or nothing.
 *
 * Callers send one status at a time (see `reportStatus`); a reporter decides what to
 * do with repeats, failures and outages, and never throws for those: a rejected
 * promise means the reporter itself is broken.
 */
export interface Reporter {
  /** Reports one status. Resolves with what became of it; rejects only when the reporter is broken. */
  report(status: RuntimeStatus, signal?: AbortSignal): Promise<ReportOutcome>;
  /**
   * Starts background work (periodic summaries, watches, drift repair) paced on
   * `reportIntervalMs`. Resolves once started.
   */
  start(reportIntervalMs: number, signal?: AbortSignal): Promise<void>;
  /** Stops background work and flushes the latest pending status, bounded by a timeout. */
  stop(): Promise<void>;
}

/** A reporter that does nothing: for tests and when reporting is disabled. */
export class NoopReporter implements Reporter {
  /** How many statuses it was given: lets tests see that reporting happened. */
  reportCount = 0;

  report(_status: RuntimeStatus): Promise<ReportOutcome> {
    this.reportCount++;
    return Promise.resolve('applied');
  }

  start(_reportIntervalMs: number): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
