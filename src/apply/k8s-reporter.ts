import { VMCP_PLURAL, vmcpResource } from './vmcp-resource.js';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { createLogger, type Logger } from '../logger.js';
import { CONFLATED, LatestWinsQueue } from '../reactive/latest-wins-queue.js';
import type { Reporter } from '../reporter.js';
import type { Phase, RuntimeStatus } from '../types.js';
import { classifyApplyError, type ApplyFailure } from './apply-error.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { FIELD_MANAGERS } from './ownership.js';
import { PhaseEventRecorder } from './phase-event-recorder.js';
import {
  runtimeOwnedPart,
  sameRuntimeStatus,
  serverHoldsApplied,
  withoutStatusFields,
} from './runtime-status-fields.js';
import {
  readOwnObject,
  watchOwnObject,
  type OwnObject,
  type OwnObjectEventType,
  type OwnObjectRef,
  type OwnObjectWatch,
} from './watch-own-object.js';
import {
  statusApplyPatch,
  type ConditionJson,
  type ObjectRef,
  type StatusApplyPatch,
} from './status-patch.js';

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

const PLURAL = VMCP_PLURAL;

/**
 * Writes runtime status to the VirtualMCPServer status subresource by server-side
 * apply, owning only the runtime's fields (src/apply/ownership.ts).
 *
 * - Quiet: a status equal to the last one the server accepted is not sent.
 * - One write at a time, latest wins; failures never throw from `report`.
 * - 429/5xx/network: retried with backoff, status goes to the fallback meanwhile.
 * - 404: waits for the object to come back (watch). 403 and 422: logged once, retried
 *   once per report interval. Unknown fields (older CRD): dropped, warned once.
 * - Drift: a watch on its own object re-applies when someone else changed runtime fields.
 */
export class K8sReporter implements Reporter {
  readonly #api: CustomObjectsApi;
  readonly #group: string;
  readonly #version: string;
  readonly #ref: ObjectRef;
  readonly #own: OwnObjectRef;
  readonly #fieldManager: string;
  readonly #logger: Logger;
  readonly #queue: LatestWinsQueue<RuntimeStatus, ReportOutcome>;
  readonly #events: PhaseEventRecorder | undefined;
  readonly #logged = new Set<string>();
  readonly #dropped = new Set<string>();

  #latest: RuntimeStatus | undefined;
  #lastApplied: StatusApplyPatch | undefined;
  #lastPhase: Phase | undefined;
  #seedConditions: ConditionJson[] | undefined;
  #uid: string | undefined;
  #intervalMs = 30_000;
  #attempt = 0;
  #outage = false;
  #waitingForObject = false;
  #repairPending = false;
  #lastRepairAt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #repairTimer: NodeJS.Timeout | undefined;
  #ownWatch: OwnObjectWatch | undefined;
  #resourceVersion: string | undefined;
  #serverStatus: Record<string, unknown> | undefined;
  #stopped = false;

  constructor(private readonly options: K8sReporterOptions) {
    const { apiVersion, group, version } = vmcpResource(options.ref.apiVersion);
    this.#group = group;
    this.#version = version;
    this.#ref = { ...options.ref, apiVersion };
    this.#own = {
      group,
      version,
      plural: PLURAL,
      namespace: options.ref.namespace,
      name: options.ref.name,
    };
    this.#fieldManager = options.fieldManager ?? FIELD_MANAGERS.runtime;
    this.#logger = (options.logger ?? createLogger()).child({
      component: 'k8s-reporter',
      vmcp: `${options.ref.namespace}/${options.ref.name}`,
    });
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#queue = new LatestWinsQueue((status) => this.#write(status));
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
    this.#stopped = false;
    try {
      const object = await this.#get();
      this.#observe(object);
      const conditions = (object.status?.conditions ?? []) as ConditionJson[];
      this.#seedConditions = conditions;
      this.#lastPhase = object.status?.phase as Phase | undefined;
    } catch (err) {
      this.#logFailure('get', classifyApplyError(err));
    }
    this.#ownWatch?.stop();
    this.#ownWatch = watchOwnObject({
      kubeConfig: this.options.kubeConfig,
      ref: this.#own,
      resourceVersion: this.#resourceVersion,
      onObject: (type, object) => {
        this.#onObject(type, object);
      },
      logger: this.#logger,
      ...(this.options.backoff !== undefined ? { backoff: this.options.backoff } : {}),
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#repairTimer);
    this.#ownWatch?.stop();
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
      const started = performance.now();
      try {
        const object = await this.#apply(patch);
        this.options.metrics?.applyLatency?.((performance.now() - started) / 1000);
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

  async #apply(patch: StatusApplyPatch): Promise<Record<string, unknown>> {
    return (await this.#api.patchNamespacedCustomObjectStatus(
      {
        group: this.#group,
        version: this.#version,
        namespace: this.#ref.namespace,
        plural: PLURAL,
        name: this.#ref.name,
        body: patch,
        fieldManager: this.#fieldManager,
        force: true,
        fieldValidation: 'Strict',
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    )) as Record<string, unknown>;
  }

  #accepted(patch: StatusApplyPatch, object: Record<string, unknown>, status: RuntimeStatus): void {
    this.#lastApplied = patch;
    this.#attempt = 0;
    this.#waitingForObject = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#outage) {
      this.#outage = false;
      this.#logged.delete('retriable');
      this.#logger.info(
        { phase: status.phase },
        'Kubernetes API reachable again: latest status applied',
      );
    }
    for (const key of ['forbidden', 'invalid', 'not-found']) this.#logged.delete(key);
    this.#observe(object);
    const previousPhase = this.#lastPhase;
    this.#lastPhase = status.phase;
    this.#logger.debug(
      { phase: status.phase, resourceVersion: this.#resourceVersion },
      'status applied',
    );
    if (previousPhase !== status.phase) {
      void this.#events?.phaseChanged(previousPhase, status.phase, status.message, this.#uid);
    }
  }

  #failed(failure: ApplyFailure, status: RuntimeStatus): ReportOutcome {
    this.#logFailure('patch', failure);
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
        this.#waitingForObject = true;
        this.#lastApplied = undefined;
        return 'deferred';
      default:
        // RBAC or schema: retrying at once cannot help; try again once per interval.
        this.#scheduleRetry(this.#intervalMs);
        return 'failed';
    }
  }

  #logFailure(verb: 'get' | 'patch', failure: ApplyFailure): void {
    const key = failure.kind;
    if (this.#logged.has(key)) {
      this.#logger.debug(
        { verb, failure: failure.kind, summary: failure.summary },
        'status write still failing',
      );
      return;
    }
    this.#logged.add(key);
    const resource = verb === 'get' ? PLURAL : `${PLURAL}/status`;
    switch (failure.kind) {
      case 'retriable':
        this.#logger.warn(
          { reason: failure.summary },
          'Kubernetes API unavailable: status goes to the log until it is back',
        );
        break;
      case 'not-found':
        this.#logger.warn(
          'VirtualMCPServer not found: the latest status is kept and applied when it exists again',
        );
        break;
      case 'forbidden':
        if (failure.byPolicy) {
          this.#logger.error(
            { verb, resource, denial: failure.summary },
            'an admission policy denied the status write (is this the ServiceAccount the policy expects for the runtime?)',
          );
          break;
        }
        this.#logger.error(
          {
            verb,
            resource,
            apiGroup: this.#group,
            name: this.#ref.name,
            namespace: this.#ref.namespace,
          },
          `RBAC: this identity may not ${verb} ${resource} "${this.#ref.name}" in namespace "${this.#ref.namespace}"; grant verb "${verb}" on resource "${resource}" in apiGroup "${this.#group}" to the runtime's ServiceAccount`,
        );
        break;
      case 'invalid':
        this.#logger.error(
          { code: failure.code, fieldErrors: failure.causes },
          'the apiserver rejected the status: field errors',
        );
        break;
      case 'unknown-fields':
        this.#logger.error(
          { fields: failure.fields },
          'the installed CRD keeps rejecting status fields',
        );
        break;
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

  async #get(): Promise<OwnObject> {
    return readOwnObject(this.options.kubeConfig, this.#own);
  }

  #observe(object: OwnObject): void {
    this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
    // The watch resumes after our own write rather than replaying it.
    this.#ownWatch?.observe(object.metadata?.resourceVersion);
    this.#uid = object.metadata?.uid ?? this.#uid;
    this.#serverStatus = object.status;
  }

  #onObject(type: OwnObjectEventType, typed: OwnObject): void {
    if (type === 'DELETED') {
      this.#resourceVersion = typed.metadata?.resourceVersion ?? this.#resourceVersion;
      this.#lastApplied = undefined;
      this.#uid = undefined;
      this.#waitingForObject = true;
      this.#logger.info('VirtualMCPServer deleted: status is applied again when it is recreated');
      return;
    }
    const recreated =
      this.#uid !== undefined &&
      typed.metadata?.uid !== undefined &&
      typed.metadata.uid !== this.#uid;
    this.#observe(typed);
    if (recreated) this.#lastApplied = undefined;
    if (this.#waitingForObject || recreated) {
      this.#waitingForObject = false;
      this.#lastApplied = undefined;
      this.#resubmit();
      return;
    }
    this.#checkDrift();
  }

  /** Someone else changed runtime-owned fields: re-apply, at most once per report interval. */
  #checkDrift(): void {
    const applied = this.#lastApplied;
    if (applied === undefined || this.#repairTimer !== undefined || this.#stopped) return;
    if (serverHoldsApplied(this.#serverStatus, applied.status)) return;
    const delay = Math.max(200, this.#lastRepairAt + this.#intervalMs - Date.now());
    this.#repairTimer = setTimeout(() => {
      this.#repairTimer = undefined;
      const current = this.#lastApplied;
      // Our own later apply may have arrived meanwhile: only repair real drift.
      if (current === undefined || serverHoldsApplied(this.#serverStatus, current.status)) return;
      this.#lastRepairAt = Date.now();
      this.#logger.info(
        { server: summarize(this.#serverStatus) },
        'runtime-owned status fields were changed by another writer: re-applying',
      );
      this.#repairPending = true;
      this.#resubmit();
    }, delay);
    this.#repairTimer.unref();
  }
}

function summarize(status: Record<string, unknown> | undefined): Record<string, unknown> {
  const part = runtimeOwnedPart(status);
  return { phase: part.phase, backendCount: part.backendCount };
}
