import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CHILD_APPLY_ACTIONS, type ChildApplyAction } from './child-applier.js';
import { CHILD_KINDS, type ChildKind } from './child-kinds.js';
import { RECONCILE_RESULTS, type ReconcileResult } from './controller.js';

/** What became of one operator status write: the `outcome` label. */
export type StatusApplyOutcome = 'applied' | 'unchanged' | 'failed';
export const STATUS_APPLY_OUTCOMES: readonly StatusApplyOutcome[] = [
  'applied',
  'unchanged',
  'failed',
];

/** Options of {@link OperatorMetrics}. */
export interface OperatorMetricsOptions {
  /** Defaults to a new registry of its own. */
  readonly registry?: Registry;
  /** Also collect prom-client's process and Node.js metrics. Defaults to true. */
  readonly defaultMetrics?: boolean;
}

/**
 * The operator's Prometheus metrics, every labelled series created at 0.
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `vmcp_operator_reconcile_total` | counter | `result` (success, requeue_after, error, terminal_error) |
 * | `vmcp_operator_reconcile_duration_seconds` | histogram | |
 * | `vmcp_operator_watch_events_total` | counter | `kind`, `action` (enqueued, ignored: status-only) |
 * | `vmcp_operator_child_applies_total` | counter | `kind`, `action` (created, configured, unchanged, skipped, failed) |
 * | `vmcp_operator_status_applies_total` | counter | `outcome` (applied, unchanged, failed) |
 * | `vmcp_operator_workqueue_depth` | gauge | |
 */
export class OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram;
  readonly watchEvents: Counter<'kind' | 'action'>;
  readonly childApplies: Counter<'kind' | 'action'>;
  readonly statusApplies: Counter<'outcome'>;
  readonly queueDepth: Gauge;

  constructor(options: OperatorMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.reconciles = new Counter({
      name: 'vmcp_operator_reconcile_total',
      help: 'Reconciles of VirtualMCPServers, by result.',
      labelNames: ['result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'vmcp_operator_reconcile_duration_seconds',
      help: 'How long one reconcile took.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.watchEvents = new Counter({
      name: 'vmcp_operator_watch_events_total',
      help: 'Watch events, by kind and whether they enqueued a reconcile (status-only changes are ignored).',
      labelNames: ['kind', 'action'],
      registers,
    });
    this.childApplies = new Counter({
      name: 'vmcp_operator_child_applies_total',
      help: 'Server-side applies of child objects, by kind and what they did (skipped: not sent, the cache shows it as applied).',
      labelNames: ['kind', 'action'],
      registers,
    });
    this.statusApplies = new Counter({
      name: 'vmcp_operator_status_applies_total',
      help: 'Operator status writes, by outcome (unchanged: not sent, the server holds it).',
      labelNames: ['outcome'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'vmcp_operator_workqueue_depth',
      help: 'VirtualMCPServers waiting for a reconcile.',
      registers,
    });
    for (const result of RECONCILE_RESULTS) this.reconciles.inc({ result }, 0);
    for (const kind of ['VirtualMCPServer', ...CHILD_KINDS]) {
      for (const action of ['enqueued', 'ignored']) this.watchEvents.inc({ kind, action }, 0);
    }
    for (const kind of CHILD_KINDS) {
      for (const action of [...CHILD_APPLY_ACTIONS, 'failed']) {
        this.childApplies.inc({ kind, action }, 0);
      }
    }
    for (const outcome of STATUS_APPLY_OUTCOMES) this.statusApplies.inc({ outcome }, 0);
    this.queueDepth.set(0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  observeReconcile(result: ReconcileResult, seconds: number): void {
    this.reconciles.inc({ result });
    this.reconcileDuration.observe(seconds);
  }

  observeWatchEvent(kind: string, action: 'enqueued' | 'ignored'): void {
    this.watchEvents.inc({ kind, action });
  }

  observeChildApply(kind: ChildKind, action: ChildApplyAction | 'failed'): void {
    this.childApplies.inc({ kind, action });
  }

  observeStatusApply(outcome: StatusApplyOutcome): void {
    this.statusApplies.inc({ outcome });
  }

  /** The Prometheus text exposition of every metric. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }
}
