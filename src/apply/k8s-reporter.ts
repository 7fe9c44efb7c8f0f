import { createLogger, type Logger } from '../logger.js';
import type { K8sReporterOptions, LaidOutPatch, ReportOutcome } from './k8s-reporter-options.js';
import { CONFLATED, LatestWinsQueue } from '../reactive/latest-wins-queue.js';
import type { Reporter } from '../reporter.js';
import type { Phase, RuntimeStatus } from '../types.js';
import { classifyApplyError, type ApplyFailure } from './apply-error.js';
import { ApplyFailureLog } from './apply-failure-log.js';
import { backoffDelay } from './backoff.js';
import { DriftRepair } from './drift-repair.js';
import { FIELD_MANAGERS } from './ownership.js';
import { PhaseEventRecorder } from './phase-event-recorder.js';
import { laidOutPatch } from './runtime-snapshot.js';
import { runtimeSummary, sameRuntimeStatus, serverHoldsApplied } from './runtime-status-fields.js';
import { settlesWithin } from './settles-within.js';
import { StatusApplier, statusApplyRequest } from './status-apply-request.js';
import { StatusFieldDiscovery } from './status-field-discovery.js';
import {
  checkStatusLayout,
  runtimePartOf,
  type LayoutDecision,
  type ResolvedStatusLayout,
} from './status-layout.js';
import type { ConditionJson, ObjectRef } from './status-patch.js';
import { StatusWriteLease, statusLeaseName } from './status-write-lease.js';
import { checkNumber } from '../validate.js';
import { ownedOnlyBy } from './ownership-audit.js';
import { VMCP_PLURAL, vmcpResource } from './vmcp-resource.js';
import { readOwnObject, type OwnObjectRef } from './watch-own-object.js';

export type {
  K8sReporterOptions,
  LaidOutPatch,
  ReportOutcome,
  ReporterMetrics,
} from './k8s-reporter-options.js';

/**
 * Writes runtime status to the VirtualMCPServer status subresource by server-side
 * apply, owning only the runtime's fields (src/apply/ownership.ts).
 *
 * - Quiet: a status equal to the last one the server accepted is not sent.
 * - One write at a time, latest wins; failures never throw from `report`.
 * - 429/5xx/network: retried with backoff, status goes to the fallback meanwhile.
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
  readonly #own: OwnObjectRef;
  readonly #fieldManager: string;
  readonly #logger: Logger;
  readonly #applier: StatusApplier;
  readonly #queue: LatestWinsQueue<RuntimeStatus, ReportOutcome>;
  readonly #events: PhaseEventRecorder | undefined;
  readonly #failures: ApplyFailureLog;
  readonly #drift: DriftRepair;
  readonly #fields: StatusFieldDiscovery;
  readonly #lease: StatusWriteLease | undefined;
  readonly #refreshMs: number;
  readonly #now: () => number;

  #latest: RuntimeStatus | undefined;
  #lastApplied: LaidOutPatch | undefined;
  #lastLayout: ResolvedStatusLayout = 'top-level';
  #lastPhase: Phase | undefined;
  #seedConditions: ConditionJson[] | undefined;
  #intervalMs = 30_000;
  #attempt = 0;
  #repairPending = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #lastWriteAt = 0;
  #waitingForLease = false;
  #stopped = false;

  constructor(private readonly options: K8sReporterOptions) {
    const { apiVersion, group, version } = vmcpResource(options.ref.apiVersion);
    this.#ref = { ...options.ref, apiVersion };
    this.#own = {
      group,
      version,
      plural: VMCP_PLURAL,
      namespace: options.ref.namespace,
      name: options.ref.name,
    };
    this.#fieldManager = options.fieldManager ?? FIELD_MANAGERS.runtime;
    this.#logger = (options.logger ?? createLogger()).child({
      component: 'k8s-reporter',
      vmcp: `${options.ref.namespace}/${options.ref.name}`,
    });
    this.#applier = new StatusApplier(options.kubeConfig);
    this.#now = options.now ?? Date.now;
    this.#refreshMs = checkNumber('statusRefreshMs', options.statusRefreshMs ?? 300_000);
    this.#lease =
      options.writeLease === undefined
        ? undefined
        : new StatusWriteLease({
            kubeConfig: options.kubeConfig,
            namespace: options.ref.namespace,
            name: statusLeaseName(options.ref.name),
            identity: options.writeLease.identity,
            ...(options.writeLease.durationMs !== undefined
              ? { durationMs: options.writeLease.durationMs }
              : {}),
            logger: this.#logger,
            now: this.#now,
          });
    this.#queue = new LatestWinsQueue((status) => this.#write(status));
    this.#failures = new ApplyFailureLog(this.#logger, this.#own);
    this.#fields = new StatusFieldDiscovery({
      kubeConfig: options.kubeConfig,
      group,
      version,
      layout: checkStatusLayout('statusLayout', options.statusLayout ?? 'auto'),
      logger: this.#logger,
      ...(options.readSchema !== undefined ? { readSchema: options.readSchema } : {}),
    });
    this.#drift = new DriftRepair({
      kubeConfig: options.kubeConfig,
      ref: this.#own,
      logger: this.#logger,
      backoff: options.backoff,
      holdsApplied: (server) =>
        this.#lastApplied === undefined
          ? undefined
          : serverHoldsApplied(server, this.#lastApplied.status, this.#lastLayout),
      // Another replica's write (our field manager, by apply) is no drift: it is the
      // status now; this replica writes only when its own view changes.
      foreign: (object) =>
        !ownedOnlyBy(object.metadata?.managedFields, this.#fieldManager, this.#lastLayout),
      replicaWrote: () => {
        this.#lastApplied = undefined;
      },
      forget: () => {
        this.#lastApplied = undefined;
      },
      resubmit: (repair) => {
        if (repair) this.#repairPending = true;
        this.#resubmit();
      },
      summarize: (server) => runtimeSummary(server, this.#lastLayout),
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
    return this.#lastApplied;
  }

  /** Status fields left out because the installed CRD does not know them. */
  get droppedFields(): readonly string[] {
    return [...this.#fields.dropped].sort();
  }

  /** The status layout in use and why (`auto` decides at `start` or at the first write). */
  get statusLayout(): LayoutDecision {
    return this.#fields.decision;
  }

  async report(status: RuntimeStatus): Promise<void> {
    this.#latest = status;
    const pushed = this.#queue.push(status);
    // Counted after the push: a status replacing the waiting one adds nothing.
    this.options.metrics?.pendingWrites?.(this.#queue.size);
    const outcome = await pushed;
    this.options.metrics?.reportOutcome?.(outcome === CONFLATED ? 'conflated' : outcome);
    this.options.metrics?.pendingWrites?.(this.#queue.size);
  }

  /**
   * Reads the object once (to keep condition transition times across restarts) and the
   * CRD's published schema (to know the layout and fields before the first apply),
   * then watches the object for drift.
   */
  async start(intervalMs: number): Promise<void> {
    this.#intervalMs = intervalMs;
    this.#drift.intervalMs = intervalMs;
    this.#stopped = false;
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
    this.#lastPhase = own?.phase as Phase | undefined;
    this.#drift.start();
  }

  /** Lease creates and updates this replica sent (0 without a write Lease). */
  get leaseWrites(): number {
    return this.#lease?.writes ?? 0;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
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
      try {
        if (!(await this.#holdLease(patch, layout))) {
          return this.#unchanged(patch, layout) ? 'unchanged' : 'deferred';
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

  /**
   * Nothing to write: the same as the last accepted write, or (when another replica
   * wrote last, or none yet) as what the server holds, check times aside; unless the
   * last write is older than the refresh period.
   */
  #unchanged(patch: LaidOutPatch, layout: ResolvedStatusLayout): boolean {
    // The pipeline re-sends a quiet status one refresh period after its last change;
    // the write that followed that change landed a little later (pacing, latency), so
    // a refresh is due a little early: by one report interval, at most a tenth.
    const earlyMs = Math.min(this.#intervalMs, this.#refreshMs / 10);
    const refreshDue =
      this.#refreshMs > 0 &&
      this.#lastWriteAt > 0 &&
      this.#now() - this.#lastWriteAt >= this.#refreshMs - earlyMs;
    if (refreshDue) return false;
    const reference =
      this.#lastApplied !== undefined && this.#lastLayout === layout
        ? this.#lastApplied.status
        : this.#drift.serverStatus;
    return reference !== undefined && sameRuntimeStatus(patch.status, reference, layout);
  }

  /**
   * With a write Lease: whether this replica may write now. When another replica holds
   * it, the write waits for the end of that term (then goes out only if this view still
   * differs from the server's).
   */
  async #holdLease(patch: LaidOutPatch, layout: ResolvedStatusLayout): Promise<boolean> {
    if (this.#lease === undefined) return true;
    const answer = await this.#lease.acquire();
    if (answer.held) {
      this.#waitingForLease = false;
      return true;
    }
    if (!this.#waitingForLease) {
      this.#waitingForLease = true;
      this.#logger.info(
        { holder: answer.holder, retryInMs: answer.retryInMs, phase: patch.status.phase },
        'another replica holds the status write Lease: this status waits for its term to end',
      );
    }
    // The server may already say what this replica would (the holder saw the same).
    if (!this.#unchanged(patch, layout)) this.#scheduleRetry(answer.retryInMs + 50);
    return false;
  }

  #patch(status: RuntimeStatus, layout: ResolvedStatusLayout): LaidOutPatch {
    const applied =
      this.#lastLayout === layout ? runtimePartOf(layout, this.#lastApplied?.status) : undefined;
    const previous = (applied?.conditions as ConditionJson[] | undefined) ?? this.#seedConditions;
    return laidOutPatch(this.#ref, status, layout, previous, this.#fields.dropped);
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
    this.#lastApplied = patch;
    this.#lastLayout = layout;
    this.#lastWriteAt = this.#now();
    this.#attempt = 0;
    clearTimeout(this.#retryTimer);
    this.#failures.accepted({ phase: status.phase });
    this.#drift.accepted(object);
    const previousPhase = this.#lastPhase;
    this.#lastPhase = status.phase;
    this.#logger.debug(
      { phase: status.phase, resourceVersion: this.#drift.resourceVersion },
      'status applied',
    );
    if (previousPhase !== status.phase) {
      void this.#events?.phaseChanged(previousPhase, status.phase, status.message, this.#drift.uid);
    }
  }

  #failed(failure: ApplyFailure, status: RuntimeStatus): ReportOutcome {
    this.#failures.failed('patch', failure);
    switch (failure.kind) {
      case 'retriable':
        void this.options.fallback?.report(status);
        this.#scheduleRetry(
          backoffDelay(this.#attempt++, this.options.backoff, failure.retryAfterMs),
        );
        return 'deferred';
      case 'not-found':
        // The watch applies the latest status when the object is back.
        this.#drift.waitForObject();
        this.#lastApplied = undefined;
        return 'deferred';
      default:
        // RBAC or schema: retrying at once cannot help; try again once per interval.
        this.#scheduleRetry(this.#intervalMs);
        return 'failed';
    }
  }

  #scheduleRetry(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#resubmit();
    }, delayMs);
    this.#retryTimer.unref();
  }

  #resubmit(): void {
    const latest = this.#latest;
    if (latest === undefined || this.#stopped) return;
    void this.#queue.push(latest).then((outcome) => {
      this.options.metrics?.reportOutcome?.(outcome === CONFLATED ? 'conflated' : outcome);
    });
  }
}
