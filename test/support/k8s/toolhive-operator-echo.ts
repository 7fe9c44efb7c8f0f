import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { kubeTime } from '../../../src/apply/status-patch.js';
import {
  readOwnObject,
  watchOwnObject,
  type OwnObject,
  type OwnObjectRef,
  type OwnObjectWatch,
} from '../../../src/apply/watch-own-object.js';

type Json = Record<string, unknown>;
interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

const RUNTIME_CONDITIONS = ['Ready', 'Degraded', 'BackendsDiscovered'];

/**
 * ToolHive's operator's projection of `status.runtime` to the top level
 * (cmd/thv-operator/pkg/virtualmcpserverstatus/collector.go, v0.63.0:
 * projectRuntimeStatus and UpdateStatus), written here for tests: phase, message and
 * discoveredBackends copied, backendCount counted (ready + unauthenticated), the
 * runtime's conditions set by apimachinery's SetStatusCondition rule (a new
 * lastTransitionTime only when the status flips) and removed when the runtime has
 * none of that type; plus what its reconcile sets anyway (url, observedGeneration).
 * Empty values are left out as Go's omitempty does. Pure but for `now`.
 */
export function projectRuntimeStatus(
  status: Json | undefined,
  generation: number,
  url: string,
  now: Date,
): Json {
  const next: Json = { ...(status ?? {}), url, observedGeneration: generation };
  const runtime = status?.runtime as Json | undefined;
  if (runtime === undefined) return next;
  next.phase = runtime.phase;
  next.message = runtime.message;
  const backends = (runtime.discoveredBackends ?? []) as Array<{ status?: string }>;
  next.discoveredBackends = structuredClone(backends);
  next.backendCount = backends.filter(
    (b) => b.status === 'ready' || b.status === 'unauthenticated',
  ).length;
  const conditions = structuredClone((status?.conditions ?? []) as Condition[]);
  const fromRuntime = (runtime.conditions ?? []) as Condition[];
  for (const c of fromRuntime) {
    const existing = conditions.find((e) => e.type === c.type);
    const set = {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      observedGeneration: generation,
    };
    if (existing === undefined) conditions.push({ ...set, lastTransitionTime: kubeTime(now) });
    else
      Object.assign(existing, set, {
        lastTransitionTime:
          existing.status === c.status ? existing.lastTransitionTime : kubeTime(now),
      });
  }
  next.conditions = conditions.filter(
    (c) => !RUNTIME_CONDITIONS.includes(c.type) || fromRuntime.some((r) => r.type === c.type),
  );
  for (const key of Object.keys(next)) {
    const value = next[key];
    if (
      value === undefined ||
      value === '' ||
      value === 0 ||
      (Array.isArray(value) && value.length === 0)
    )
      Reflect.deleteProperty(next, key);
  }
  return next;
}

/** Options of {@link ToolhiveOperatorEcho}. */
export interface ToolhiveOperatorEchoOptions {
  readonly kubeConfig: KubeConfig;
  readonly ref: OwnObjectRef;
  /** The manager its Updates are recorded under. Defaults to `toolhive-operator`. */
  readonly fieldManager?: string;
  /** A reconcile also runs this often, as controller-runtime's resync does. */
  readonly resyncMs: number;
  readonly url: string;
}

/**
 * A writer that behaves like ToolHive's operator towards the status, for tests: on
 * every change of the object it sees (its own writes included) and on every resync,
 * one reconcile at a time, it Gets the object, projects `status.runtime` to the top
 * level and sends a full status Update (PUT with the resourceVersion it read),
 * retrying on 409 as `retry.RetryOnConflict` does. It counts what it did.
 */
export class ToolhiveOperatorEcho {
  /** Reconciles run (events and resyncs). */
  reconciles = 0;
  /** Reconciles started by the resync timer. */
  resyncs = 0;
  /** Updates sent. */
  updates = 0;
  /** Updates that changed the object (a new resourceVersion). */
  bumps = 0;
  /** Updates answered 409 (someone wrote in between), then retried. */
  conflicts = 0;
  /** Anything else that failed: a test expects none. */
  readonly errors: string[] = [];
  readonly #api: CustomObjectsApi;
  #watch: OwnObjectWatch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;

  constructor(private readonly options: ToolhiveOperatorEchoOptions) {
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  start(): void {
    this.#watch = watchOwnObject({
      kubeConfig: this.options.kubeConfig,
      ref: this.options.ref,
      readFirst: true,
      onObject: () => {
        this.#enqueue();
      },
    });
    this.#timer = setInterval(() => {
      this.resyncs++;
      this.#enqueue();
    }, this.options.resyncMs);
  }

  /** Stops watching and resyncing; resolves once a running reconcile has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#watch?.stop();
    await this.#running;
  }

  #enqueue(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#dirty = true;
      return;
    }
    // Set meanwhile by #enqueue: a change seen during a reconcile runs one more.
    const again = (): boolean => this.#dirty && !this.#stopped;
    this.#running = (async () => {
      do {
        this.#dirty = false;
        await this.#reconcile();
      } while (again());
      this.#running = undefined;
    })();
  }

  async #reconcile(): Promise<void> {
    this.reconciles++;
    const { ref } = this.options;
    for (let attempt = 0; attempt < 5; attempt++) {
      let object: OwnObject;
      try {
        object = await readOwnObject(this.options.kubeConfig, ref);
      } catch (err) {
        this.errors.push(`get: ${(err as Error).message}`);
        return;
      }
      const status = projectRuntimeStatus(
        object.status,
        object.metadata?.generation ?? 0,
        this.options.url,
        new Date(),
      );
      try {
        this.updates++;
        const answer = (await this.#api.replaceNamespacedCustomObjectStatus({
          group: ref.group,
          version: ref.version,
          namespace: ref.namespace,
          plural: ref.plural,
          name: ref.name,
          body: { ...object, status },
          fieldManager: this.options.fieldManager ?? 'toolhive-operator',
        })) as OwnObject;
        if (answer.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.bumps++;
        return;
      } catch (err) {
        if (err instanceof ApiException && err.code === 409) {
          this.conflicts++;
          continue;
        }
        this.errors.push(`update: ${err instanceof ApiException ? String(err.code) : String(err)}`);
        return;
      }
    }
  }
}
