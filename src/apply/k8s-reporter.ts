import { createLogger, type Logger } from '../logger.js';
import {
  reporterSettings,
  type K8sReporterOptions,
  type LaidOutPatch,
} from './k8s-reporter-options.js';
import { CONFLATED, LatestWinsQueue } from '../reactive/latest-wins-queue.js';
import type { ReportOutcome, Reporter } from '../reporter.js';
import type { Phase, RuntimeStatus } from '../types.js';
import { classifyApplyError, type ApplyFailure } from './apply-error.js';
import { ApplyFailureLog } from './apply-failure-log.js';
import { capReportedBackends } from './cap-reported-backends.js';
import { DriftRepair } from './drift-repair.js';
import { PhaseEventRecorder } from './phase-event-recorder.js';
import { laidOutPatch } from './runtime-snapshot.js';
import { AcceptedStatus } from './accepted-status.js';
import { settlesWithin } from './settles-within.js';
import { StatusApplier, statusApplyRequest } from './status-apply-request.js';
import { StatusFieldDiscovery } from './status-field-discovery.js';
import { runtimePartOf, type LayoutDecision, type ResolvedStatusLayout } from './status-layout.js';
import type { ConditionJson, ObjectRef } from './status-patch.js';
import { LeaseGate } from './lease-gate.js';
import { RetrySchedule } from './retry-schedule.js';
import { vmcpObjectRef, type VmcpObjectRef } from './vmcp-resource.js';
import { readOwnObject } from './watch-own-object.js';

export type { K8sReporterOptions, LaidOutPatch, ReporterMetrics } from './k8s-reporter-options.js';

/**
 * Writes runtime status to the VirtualMCPServer status subresource by server-side
 * apply, owning only the runtime's fields (src/apply/ownership.ts).
 *
 * - Quiet: a status equal to the last one the server accepted is not sent.
 * - One write at a time, latest wins; failures never throw from `report`.
 * - 429/5xx/network (and no answer within `requestTimeoutMs`): retried with backoff,
 *   never sooner than `Retry-After`; statuses arriving meanwhile wait for that retry
 *   and go to the fallback.
 * - Schema first: before the first apply it reads the CRD's published schema, picks
 *   the layout (`top-level`, or ToolHive's `status.runtime`) and leaves out the fields
 *   the CRD lacks, warning once (src/apply/status-field-discovery.ts).
 * - 404: waits for the object to come back (watch). 403 and 422: logged once, retried
 *   once per report interval.
 * - Drift: a watch on its own object re-applies when someone else changed runtime
 *   fields, and only those of the layout in use (src/apply/drift-repair.ts).
 *
 * Every write passes two seams: `#send` is the one place a write leaves, `#accepted`
 * the one place the apiserver's yes arrives (a write Lease or a refresh hooks in there).
 */
export class K8sReporter implements Reporter {
  readonly #ref: ObjectRef;
  readonly #own: VmcpObjectRef;
  readonly #fieldManager: string;
  readonly #logger: Logger;
  readonly #applier: StatusApplier;
  readonly #queue: LatestWinsQueue<RuntimeStatus, ReportOutcome>;
  readonly #events: PhaseEventRecorder | undefined;
  readonly #failures: ApplyFailureLog;
  readonly #drift: DriftRepair;
  readonly #fields: StatusFieldDiscovery;
  readonly #lease: LeaseGate | undefined;
  readonly #retry: RetrySchedule;
  readonly #maxReported: number;
  readonly #now: () => number;
  readonly #last: AcceptedStatus;

  #latest: RuntimeStatus | undefined;
  #seedConditions: ConditionJson[] | undefined;
  #intervalMs = 30_000;
  #repairPending = false;
  #stopped = false;

  constructor(private readonly options: K8sReporterOptions) {
    this.#own = vmcpObjectRef(options.ref);
    this.#ref = { ...options.ref, apiVersion: this.#own.apiVersion };
    const settings = reporterSettings(options);
    this.#fieldManager = settings.fieldManager;
    this.#logger = (options.logger ?? createLogger()).child({
      component: 'k8s-reporter',
      vmcp: `${options.ref.namespace}/${options.ref.name}`,
    });
    this.#applier = new StatusApplier(options.kubeConfig, settings.requestTimeoutMs);
    this.#now = options.now ?? Date.now;
    this.#last = new AcceptedStatus(settings.statusRefreshMs, this.#now);
    this.#maxReported = settings.maxReportedBackends;
    this.#retry = new RetrySchedule({
      backoff: options.backoff,
      now: this.#now,
      onDue: () => {
        this.#resubmit();
      },
    });
    this.#lease = LeaseGate.when(options.writeLease, {
      kubeConfig: options.kubeConfig,
      ref: options.ref,
      logger: this.#logger,
      requestTimeoutMs: settings.requestTimeoutMs,
      now: this.#now,
    });
    this.#queue = new LatestWinsQueue((status) => this.#write(status));
    this.#failures = new ApplyFailureLog(this.#logger, this.#own);
    this.#fields = new StatusFieldDiscovery({
      kubeConfig: options.kubeConfig,
      group: this.#own.group,
      version: this.#own.version,
      layout: settings.statusLayout,
      logger: this.#logger,
      ...(options.readSchema !== undefined ? { readSchema: options.readSchema } : {}),
    });
    this.#drift = new DriftRepair({
      kubeConfig: options.kubeConfig,
      ref: this.#own,
      logger: this.#logger,
      backoff: options.backoff,
      accepted: this.#last,
      fieldManager: this.#fieldManager,
      resubmit: (repair) => {
        if (repair) this.#repairPending = true;
        this.#resubmit();
      },
    });
    this.#events =
      options.events === false
        ? undefined
        : new PhaseEventRecorder({
            kubeConfig: options.kubeConfig,
            ref: this.#ref,
            logger: this.#logger,
            ...(options.instance !== undefined ? { instance: options.instance } : {}),
          });
  }

  /** The status subresource patch the server last accepted. */
  get lastApplied(): LaidOutPatch | undefined {
    return this.#last.patch;
  }

  /** Status fields left out because the installed CRD does not know them. */
  get droppedFields(): readonly string[] {
    return [...this.#fields.dropped].sort();
  }

  /** The status layout in use and why (`auto` decides at `start` or at the first write). */
  get statusLayout(): LayoutDecision {
    return this.#fields.decision;
  }

  async report(status: RuntimeStatus): Promise<ReportOutcome> {
    this.#latest = status;
    const pushed = this.#queue.push(status);
    // Counted after the push: a status replacing the waiting one adds nothing.
    this.options.metrics?.pendingWrites?.(this.#queue.size);
    const result = await pushed;
    const outcome = result === CONFLATED ? 'conflated' : result;
    this.options.metrics?.reportOutcome?.(outcome);
    this.options.metrics?.pendingWrites?.(this.#queue.size);
    return outcome;
  }

  /**
   * Reads the object once (to keep condition transition times across restarts) and the
   * CRD's published schema (to know the layout and fields before the first apply),
   * then watches the object for drift.
   */
  async start(reportIntervalMs: number): Promise<void> {
    this.#intervalMs = reportIntervalMs;
    this.#drift.intervalMs = reportIntervalMs;
    this.#stopped = false;
    this.#retry.start();
    let status: Record<string, unknown> | undefined;
    try {
      const object = await readOwnObject(this.options.kubeConfig, this.#own);
      this.#drift.observe(object);
      status = object.status ?? {};
    } catch (err) {
      this.#failures.failed('get', classifyApplyError(err));
    }
    await this.#fields.discover(status);
    const own = runtimePartOf(this.#fields.layout, status);
    this.#seedConditions = (own?.conditions ?? []) as ConditionJson[];
    this.#events?.seed(own?.phase as Phase | undefined);
    this.#drift.start();
  }

  /** Lease creates and updates this replica sent (0 without a write Lease). */
  get leaseWrites(): number {
    return this.#lease?.writes ?? 0;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#retry.stop();
    this.#drift.stop();
    const timeoutMs = this.options.stopTimeoutMs ?? 5000;
    const flushed = await settlesWithin(this.#queue.onIdle(), timeoutMs);
    if (!flushed) this.#logger.warn({ timeoutMs }, 'stopped before the last status was applied');
    // Another replica may write at once instead of waiting for the term to end.
    await settlesWithin(this.#lease?.release() ?? Promise.resolve(), 2_000);
  }

  async #write(status: RuntimeStatus): Promise<ReportOutcome> {
    // Only reads when start() did not, or got no answer.
    await this.#fields.discover();
    for (let attempt = 0; ; attempt++) {
      const layout = this.#fields.layout;
      const patch = this.#patch(status, layout);
      const repair = this.#repairPending;
      this.#repairPending = false;
      if (!repair && this.#unchanged(patch, layout)) return 'unchanged';
      if (this.#retry.backingOff) {
        // The scheduled retry writes the newest status; until then the log has it.
        this.#repairPending ||= repair;
        void this.options.fallback?.report(status);
        return 'deferred';
      }
      try {
        // Another replica holds the write Lease: wait for its term to end, unless the
        // server already says what this replica would (the holder saw the same).
        const leaseWaitMs = await this.#lease?.wait(status.phase);
        if (leaseWaitMs !== undefined) {
          if (this.#unchanged(patch, layout)) return 'unchanged';
          this.#retry.after(leaseWaitMs + 50);
          return 'deferred';
        }
        const object = await this.#send(patch);
        this.#accepted(patch, layout, object, status);
        return 'applied';
      } catch (err) {
        const failure = classifyApplyError(err);
        // A CRD that changed underneath: learn what it lacks now and try again.
        const retry = failure.kind === 'unknown-fields' && attempt < 5;
        if (retry && (await this.#fields.rejected(failure.fields))) continue;
        return this.#failed(failure, status);
      }
    }
  }

  /** Nothing to write (see {@link AcceptedStatus.holds}). */
  #unchanged(patch: LaidOutPatch, layout: ResolvedStatusLayout): boolean {
    return this.#last.holds(patch, layout, this.#drift.serverStatus, this.#intervalMs);
  }

  #patch(status: RuntimeStatus, layout: ResolvedStatusLayout): LaidOutPatch {
    const previous = this.#last.conditions(layout) ?? this.#seedConditions;
    // The runtime's conditions carry the generation of the object it has seen.
    const generation = this.#drift.generation;
    const observed =
      generation === undefined
        ? status
        : {
            ...status,
            conditions: status.conditions.map((c) => ({ ...c, observedGeneration: generation })),
          };
    const capped = capReportedBackends(observed, this.#maxReported);
    return laidOutPatch(this.#ref, capped, layout, previous, this.#fields.dropped);
  }

  /** Seam: the one place a status write is sent. */
  async #send(patch: LaidOutPatch): Promise<Record<string, unknown>> {
    const started = performance.now();
    const object = await this.#applier.send(
      statusApplyRequest(this.#own, patch, this.#fieldManager),
    );
    this.options.metrics?.applyLatency?.((performance.now() - started) / 1000);
    return object;
  }

  /** Seam: the one place a status write is known to be accepted. */
  #accepted(
    patch: LaidOutPatch,
    layout: ResolvedStatusLayout,
    object: Record<string, unknown>,
    status: RuntimeStatus,
  ): void {
    this.#last.accepted(patch, layout);
    this.#retry.succeeded();
    this.#failures.accepted({ phase: status.phase });
    this.#drift.accepted(object);
    this.#logger.debug(
      { phase: status.phase, resourceVersion: this.#drift.resourceVersion },
      'status applied',
    );
    void this.#events?.accepted(status.phase, status.message, this.#drift.uid);
  }

  #failed(failure: ApplyFailure, status: RuntimeStatus): ReportOutcome {
    this.#failures.failed('patch', failure);
    switch (failure.kind) {
      case 'retriable':
        void this.options.fallback?.report(status);
        this.#retry.backOff(failure.retryAfterMs);
        return 'deferred';
      case 'not-found':
        // The watch applies the latest status when the object is back.
        this.#drift.waitForObject();
        this.#last.forget();
        return 'deferred';
      default:
        // RBAC or schema: retrying at once cannot help; try again once per interval.
        this.#retry.after(this.#intervalMs);
        return 'failed';
    }
  }

  #resubmit(): void {
    const latest = this.#latest;
    if (latest === undefined || this.#stopped) return;
    void this.#queue.push(latest).then((outcome) => {
      this.options.metrics?.reportOutcome?.(outcome === CONFLATED ? 'conflated' : outcome);
    });
  }
}
