import type { ReportOutcome, Reporter } from '../../../src/reporter.js';

/** Counts what the reporter hands its fallback (the log, in production). */
export class CountingReporter implements Reporter {
  count = 0;
  report(): Promise<ReportOutcome> {
    this.count++;
    return Promise.resolve('applied');
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}
