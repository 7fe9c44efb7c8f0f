import type { ReportOutcome, Reporter } from '../reporter.js';
import type { RuntimeStatus } from '../types.js';
import type { StatusMetrics } from './metrics.js';

/** Options of {@link MeteredReporter}. */
export interface MeteredReporterOptions {
  /**
   * The inner reporter meters its own writes through {@link StatusMetrics.reporterHooks}
   * (the Kubernetes reporter does): then only statuses conflated before they reach it
   * are counted here. Defaults to false.
   */
  readonly innerMeters?: boolean;
  /** Defaults to `performance.now`. */
  readonly now?: () => number;
}

/**
 * Wraps a reporter to count what becomes of each status: `conflated` when a newer one
 * replaced it before it was reported, `failed` when the report rejected, otherwise the
 * outcome the inner reporter resolved with, else `unchanged` for a status equal in
 * every stable field to the last one reported and `applied` for the rest. Times each
 * report and keeps `vmcp_status_pending_writes` current.
 *
 * Call {@link offered} for every status as it enters the one-at-a-time queue in front
 * of {@link report}: the gaps between offered and reported statuses are the conflated ones.
 */
export class MeteredReporter implements Reporter {
  readonly #inner: Reporter;
  readonly #metrics: StatusMetrics;
  readonly #innerMeters: boolean;
  readonly #now: () => number;
  readonly #sequence = new WeakMap<RuntimeStatus, number>();
  #offered = 0;
  #taken = 0;
  #inFlight = false;

  constructor(inner: Reporter, metrics: StatusMetrics, options: MeteredReporterOptions = {}) {
    this.#inner = inner;
    this.#metrics = metrics;
    this.#innerMeters = options.innerMeters ?? false;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Records that `status` was queued for reporting. */
  offered(status: RuntimeStatus): void {
    this.#sequence.set(status, ++this.#offered);
    this.#updatePending();
  }

  async report(status: RuntimeStatus, signal?: AbortSignal): Promise<ReportOutcome> {
    const sequence = this.#sequence.get(status) ?? ++this.#offered;
    const skipped = sequence - this.#taken - 1;
    if (skipped > 0) this.#metrics.reports.inc({ outcome: 'conflated' }, skipped);
    this.#taken = Math.max(this.#taken, sequence);
    this.#inFlight = true;
    this.#updatePending();
    const started = this.#now();
    let outcome: ReportOutcome = 'failed';
    try {
      outcome = await this.#inner.report(status, signal);
      return outcome;
    } finally {
      this.#inFlight = false;
      this.#updatePending();
      if (!this.#innerMeters) {
        this.#metrics.reports.inc({ outcome });
        this.#metrics.applyDuration.observe((this.#now() - started) / 1_000);
      }
    }
  }

  start(reportIntervalMs: number, signal?: AbortSignal): Promise<void> {
    return this.#inner.start(reportIntervalMs, signal);
  }

  stop(): Promise<void> {
    return this.#inner.stop();
  }

  #updatePending(): void {
    if (this.#innerMeters) return;
    const waiting = this.#offered > this.#taken ? 1 : 0;
    this.#metrics.pendingWrites.set(waiting + (this.#inFlight ? 1 : 0));
  }
}
