import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  BACKEND_HEALTH_STATUSES,
  ERROR_CATEGORIES,
  PHASES,
  type BackendHealthEvent,
  type RuntimeStatus,
} from '../types.js';

import { REPORT_OUTCOMES } from '../reporter.js';

/** Options of {@link StatusMetrics}. */
export interface StatusMetricsOptions {
  /** Defaults to a new registry of its own. */
  readonly registry?: Registry;
  /** Also collect prom-client's standard process and Node.js metrics. Defaults to true. */
  readonly defaultMetrics?: boolean;
}

/**
 * The runtime's Prometheus metrics, on a registry of their own. No metric has a
 * per-backend label: a vMCP may have 10 000 backends.
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `vmcp_status_backends` | gauge: backends in the last status | `status` |
 * | `vmcp_status_phase` | gauge: 1 for the current phase | `phase` |
 * | `vmcp_status_reports_total` | counter | `outcome` (applied, unchanged, conflated, deferred, failed) |
 * | `vmcp_status_apply_duration_seconds` | histogram: one report's write | |
 * | `vmcp_status_pending_writes` | gauge: statuses waiting or in flight | |
 * | `vmcp_status_probes_total` | counter | `result` (healthy, degraded, unauthenticated or an error category) |
 * | `vmcp_status_probe_latency_seconds` | histogram | |
 *
 * Every labelled series is created at 0 up front, so dashboards and alerts see it
 * before it first moves.
 */
export class StatusMetrics {
  readonly registry: Registry;
  readonly backends: Gauge<'status'>;
  readonly phase: Gauge<'phase'>;
  readonly reports: Counter<'outcome'>;
  readonly applyDuration: Histogram;
  readonly pendingWrites: Gauge;
  readonly probes: Counter<'result'>;
  readonly probeLatency: Histogram;

  constructor(options: StatusMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.backends = new Gauge({
      name: 'vmcp_status_backends',
      help: 'Backends in the last reported status, by health status.',
      labelNames: ['status'],
      registers,
    });
    this.phase = new Gauge({
      name: 'vmcp_status_phase',
      help: 'The vMCP phase in the last reported status: 1 for the current phase, 0 for the others.',
      labelNames: ['phase'],
      registers,
    });
    this.reports = new Counter({
      name: 'vmcp_status_reports_total',
      help: 'Statuses handed to the reporter, by what became of them.',
      labelNames: ['outcome'],
      registers,
    });
    this.applyDuration = new Histogram({
      name: 'vmcp_status_apply_duration_seconds',
      help: 'How long one status report (a write to the Kubernetes API, or a log line) took.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.pendingWrites = new Gauge({
      name: 'vmcp_status_pending_writes',
      help: 'Statuses waiting to be reported or being reported (at most 2: one in flight, one waiting).',
      registers,
    });
    this.probes = new Counter({
      name: 'vmcp_status_probes_total',
      help: 'Backend probes, by result: healthy, degraded, unauthenticated or the error category.',
      labelNames: ['result'],
      registers,
    });
    this.probeLatency = new Histogram({
      name: 'vmcp_status_probe_latency_seconds',
      help: 'Backend response time per probe: the ping round trip; for a failed probe, the time until it failed.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    for (const status of BACKEND_HEALTH_STATUSES) this.backends.set({ status }, 0);
    for (const phase of PHASES) this.phase.set({ phase }, 0);
    for (const outcome of REPORT_OUTCOMES) this.reports.inc({ outcome }, 0);
    for (const result of [...BACKEND_HEALTH_STATUSES, ...ERROR_CATEGORIES]) {
      if (result !== 'unhealthy' && result !== 'unknown') this.probes.inc({ result }, 0);
    }
    this.pendingWrites.set(0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the backend and phase gauges from a status. O(backends). */
  observeStatus(status: RuntimeStatus): void {
    const counts = new Map<string, number>(BACKEND_HEALTH_STATUSES.map((s) => [s, 0]));
    for (const backend of status.backends) {
      counts.set(backend.status, (counts.get(backend.status) ?? 0) + 1);
    }
    for (const [status, count] of counts) this.backends.set({ status }, count);
    for (const phase of PHASES) this.phase.set({ phase }, phase === status.phase ? 1 : 0);
  }

  /** Counts one probe from the health event it produced. */
  observeProbe(event: BackendHealthEvent): void {
    const result =
      event.errorCategory ?? (event.status === 'unknown' ? 'health_check_failed' : event.status);
    this.probes.inc({ result });
    if (event.latencyMs !== undefined) this.probeLatency.observe(event.latencyMs / 1_000);
  }

  /**
   * Hooks a reporter that meters its own writes calls (`reportOutcome`,
   * `applyLatency`, `pendingWrites`), e.g. the Kubernetes reporter.
   */
  readonly reporterHooks = {
    reportOutcome: (outcome: string): void => {
      this.reports.inc({ outcome });
    },
    applyLatency: (seconds: number): void => {
      this.applyDuration.observe(seconds);
    },
    pendingWrites: (count: number): void => {
      this.pendingWrites.set(count);
    },
  };

  /** The Prometheus text exposition of every metric. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }
}
