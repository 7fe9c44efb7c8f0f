import type { KubeConfig } from '@kubernetes/client-node';
import { createLogger, type Logger } from '../logger.js';
import { CONFLATED, LatestWinsQueue } from '../reactive/latest-wins-queue.js';
import type { Reporter } from '../reporter.js';
import type { Phase, RuntimeStatus } from '../types.js';
import { classifyApplyError, type ApplyFailure } from './apply-error.js';
import { ApplyFailureLog } from './apply-failure-log.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { DriftRepair } from './drift-repair.js';
import { FIELD_MANAGERS } from './ownership.js';
import { PhaseEventRecorder } from './phase-event-recorder.js';
import {
  runtimeOwnedPart,
  sameRuntimeStatus,
  serverHoldsApplied,
  withoutStatusFields,
} from './runtime-status-fields.js';
import { StatusApplier, statusApplyRequest } from './status-apply-request.js';
import {
  statusApplyPatch,
  type ConditionJson,
  type ObjectRef,
  type StatusApplyPatch,
} from './status-patch.js';
import { VMCP_PLURAL, vmcpResource } from './vmcp-resource.js';
import { readOwnObject, type OwnObjectRef } from './watch-own-object.js';

/** What became of one status given to {@link K8sReporter.report}. */
export type ReportOutcome = 'applied' | 'unchanged' | 'conflated' | 'deferred' | 'failed';

/** Hooks for metrics (see src/runtime/metrics.ts); all optional. */
export interface ReporterMetrics {
  reportOutcome?(outcome: ReportOutcome): void;
  applyLatency?(seconds: number): void;
  pendingWrites?(count: number): void;
}

/** Options of {@link K8sReporter}. */
export interface K8sReporterOptions {
  readonly kubeConfig: KubeConfig;
  /** The VirtualMCPServer; `apiVersion` defaults to `toolhive.stacklok.dev/v1beta1`. */
  readonly ref: ObjectRef;
  /** Defaults to `vmcp-runtime`. */
  readonly fieldManager?: string;
  /** Gets every status while the API is unreachable (usually a LogReporter). */
  readonly fallback?: Reporter;
  readonly logger?: Logger;
  /** Retry pacing for 429, 5xx and network errors. */
  readonly backoff?: BackoffOptions;
  /** How long `stop()` may spend flushing. Defaults to 5 s. */
  readonly stopTimeoutMs?: number;
  /** Record PhaseChanged Events. Defaults to true. */
  readonly events?: boolean;
  /** Reporting instance of Events; defaults to `POD_NAME`, else the host name. */
  readonly instance?: string;
  readonly metrics?: ReporterMetrics;
}

/**
 * Writes runtime status to the VirtualMCPServer status subresource by server-side
 * apply, owning only the runtime's fields (src/apply/ownership.ts).
 *
 * - Quiet: a status equal to the last one the server accepted is not sent.
 * - One write at a time, latest wins; failures never throw from `report`.
 * - 429/5xx/network: retried with backoff, status goes to the fallback meanwhile.
 * - 404: waits for the object to come back (watch). 403 and 422: logged once, retried
 *   once per report interval. Unknown fields (older CRD): dropped, warned once.
 * - Drift: a watch on its own object re-applies when someone else changed runtime
 *   fields (src/apply/drift-repair.ts).
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
  readonly #dropped = new Set<string>();

  #latest: RuntimeStatus | undefined;
  #lastApplied: StatusApplyPatch | undefined;
  #lastPhase: Phase | undefined;
  #seedConditions: ConditionJson[] | undefined;
  #intervalMs = 30_000;
  #attempt = 0;
  #outage = false;
  #repairPending = false;
  #retryTimer: NodeJS.Timeout | undefined;
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
    this.#queue = new LatestWinsQueue((status) => this.#write(status));
    this.#failures = new ApplyFailureLog(this.#logger, this.#own);
    this.#drift = new DriftRepair({
      kubeConfig: options.kubeConfig,
      ref: this.#own,
      logger: this.#logger,
      backoff: options.backoff,
      holdsApplied: (server) =>
        this.#lastApplied === undefined
          ? undefined
          : serverHoldsApplied(server, this.#lastApplied.status),
      forget: () => {
        this.#lastApplied = undefined;
      },
      resubmit: (repair) => {
        if (repair) this.#repairPending = true;
        this.#resubmit();
      },
      summarize,
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
  get lastApplied(): StatusApplyPatch | undefined {
    return this.#lastApplied;
  }

  /** Status fields left out because the installed CRD does not know them. */
  get droppedFields(): readonly string[] {
    return [...this.#dropped].sort();
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

  /** Reads the object once (to keep condition transition times across restarts), then watches it for drift. */
  async start(intervalMs: number): Promise<void> {
    this.#intervalMs = intervalMs;
    this.#drift.intervalMs = intervalMs;
    this.#stopped = false;
    try {
      const object = await readOwnObject(this.options.kubeConfig, this.#own);
      this.#drift.observe(object);
      const conditions = (object.status?.conditions ?? []) as ConditionJson[];
      this.#seedConditions = conditions;
      this.#lastPhase = object.status?.phase as Phase | undefined;
    } catch (err) {
      this.#failures.failed('get', classifyApplyError(err));
    }
    this.#drift.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#drift.stop();
    const timeoutMs = this.options.stopTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const flushed = await Promise.race([
      this.#queue.onIdle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!flushed) this.#logger.warn({ timeoutMs }, 'stopped before the last status was applied');
  }

  async #write(status: RuntimeStatus): Promise<ReportOutcome> {
    for (let attempt = 0; ; attempt++) {
      const patch = this.#patch(status);
      const repair = this.#repairPending;
      this.#repairPending = false;
      if (
        !repair &&
        this.#lastApplied !== undefined &&
        sameRuntimeStatus(patch.status as never, this.#lastApplied.status as never)
      ) {
        return 'unchanged';
      }
      try {
        const object = await this.#send(patch);
        this.#accepted(patch, object, status);
        return 'applied';
      } catch (err) {
        const failure = classifyApplyError(err);
        if (
          failure.kind === 'unknown-fields' &&
          attempt < 5 &&
          failure.fields.some((f) => !this.#dropped.has(f))
        ) {
          for (const field of failure.fields) this.#dropped.add(field);
          this.#logger.warn(
            { droppedFields: this.droppedFields },
            'the installed VirtualMCPServer CRD does not know these status fields: reporting all the others without them',
          );
          continue;
        }
        return this.#failed(failure, status);
      }
    }
  }

  #patch(status: RuntimeStatus): StatusApplyPatch {
    const previous = this.#lastApplied?.status.conditions ?? this.#seedConditions;
    const patch = statusApplyPatch(this.#ref, status, previous);
    return { ...patch, status: withoutStatusFields(patch.status, this.#dropped) };
  }

  /** Seam: the one place a status write is sent. */
  async #send(patch: StatusApplyPatch): Promise<Record<string, unknown>> {
    const started = performance.now();
    const object = await this.#applier.send(
      statusApplyRequest(this.#own, patch, this.#fieldManager),
    );
    this.options.metrics?.applyLatency?.((performance.now() - started) / 1000);
    return object;
  }

  /** Seam: the one place a status write is known to be accepted. */
  #accepted(patch: StatusApplyPatch, object: Record<string, unknown>, status: RuntimeStatus): void {
    this.#lastApplied = patch;
    this.#attempt = 0;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#outage) {
      this.#outage = false;
      this.#failures.clear('retriable');
      this.#logger.info(
        { phase: status.phase },
        'Kubernetes API reachable again: latest status applied',
      );
    }
    this.#failures.clear('forbidden', 'invalid', 'not-found');
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
        this.#outage = true;
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

function summarize(status: Record<string, unknown> | undefined): Record<string, unknown> {
  const part = runtimeOwnedPart(status);
  return { phase: part.phase, backendCount: part.backendCount };
}
