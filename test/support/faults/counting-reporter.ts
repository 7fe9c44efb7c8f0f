import type { Reporter } from '../../../src/reporter.js';

/** Counts what the reporter hands its fallback (the log, in production). */
export class CountingReporter implements Reporter {
  count = 0;
  report(): Promise<void> {
    this.count++;
    return Promise.resolve();
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}
