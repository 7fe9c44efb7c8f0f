import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { CRD_BACKEND_STATUS } from '../src/apply/status-patch.js';
import type { Change, Timeline } from './timelines.js';

/** The VirtualMCPServers of one namespace, in one group. */
export interface WatchedResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace: string;
}

/** One version of one object, as the watch delivered it. */
interface Seen {
  /** Wall-clock time of arrival, ms with a fraction. */
  readonly atMs: number;
  readonly resourceVersion: string;
  /** Top-level `status.discoveredBackends[].status` by name, when tracked. */
  readonly backends?: ReadonlyMap<string, string>;
}

/** Change-to-visible latencies of the changes of a timeline. */
export interface Visibility {
  /** Milliseconds from each change to the first watch event showing it, sorted. */
  readonly latenciesMs: readonly number[];
  /** Changes overtaken by the backend's next change before any write showed them. */
  readonly superseded: number;
  /** Changes never shown (the last change of a backend, not seen by the end). */
  readonly unseen: number;
}

interface VmcpJson {
  metadata?: { name?: string; resourceVersion?: string };
  status?: { discoveredBackends?: Array<{ name?: string; status?: string }> };
}

/** The wall clock with sub-millisecond resolution. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * Watches every VirtualMCPServer of a namespace from a list, and records each
 * version it sees: each new resourceVersion is one write to etcd, and the top-level
 * `status.discoveredBackends` of each version tells when a health change became
 * visible to anyone watching (kubectl, a dashboard, an operator).
 */
export class StatusWatch {
  readonly #seen = new Map<string, Seen[]>();
  readonly #path: string;
  #resourceVersion = '';
  #abort: AbortController | undefined;
  #stopped = false;
  #failure: unknown;

  private constructor(
    private readonly kc: KubeConfig,
    private readonly resource: WatchedResource,
    private readonly trackBackends: boolean,
  ) {
    const { group, version, namespace, plural } = resource;
    this.#path = `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
  }

  /** Lists, then watches from the list's resourceVersion. */
  static async start(
    kc: KubeConfig,
    resource: WatchedResource,
    options: { trackBackends?: boolean } = {},
  ): Promise<StatusWatch> {
    const watch = new StatusWatch(kc, resource, options.trackBackends ?? true);
    const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: resource.group,
      version: resource.version,
      namespace: resource.namespace,
      plural: resource.plural,
    })) as { metadata?: { resourceVersion?: string }; items?: VmcpJson[] };
    for (const item of list.items ?? []) watch.#record(item);
    watch.#resourceVersion = list.metadata?.resourceVersion ?? '';
    await watch.#watch();
    return watch;
  }

  /**
   * Writes to etcd over every object between two etcd revisions (see {@link etcdRevision}):
   * the versions seen whose resourceVersion is in `(from, to]`. Counted by revision, not
   * by arrival, so a watch running late on a busy machine still counts right.
   */
  writesBetween(from: bigint, to: bigint): number {
    let writes = 0;
    for (const versions of this.#seen.values()) {
      writes += versions.filter((v) => {
        const revision = BigInt(v.resourceVersion);
        return revision > from && revision <= to;
      }).length;
    }
    return writes;
  }

  /**
   * The share of backend-time in `[startMs + 0, startMs + durationMs)` during which the
   * top-level status of `name` showed a backend otherwise than the runtime knew it
   * (from `timeline`): 0 is always fresh. Sampled every 5 ms.
   */
  staleness(name: string, timeline: Timeline, startMs: number, durationMs: number): number {
    const versions = this.#seen.get(name) ?? [];
    const truth = timeline.backends.map((backend, index) => ({
      name: backend.name,
      changes: timeline.events
        .filter((e) => e[1] === index)
        .map((e) => [startMs + e[0], e[2]] as const),
      next: 0,
      status: CRD_BACKEND_STATUS[timeline.initial.find((c) => c[1] === index)?.[2] ?? 'healthy'],
    }));
    let shown = 0;
    let stale = 0;
    let samples = 0;
    for (let t = startMs; t < startMs + durationMs; t += 5) {
      while (shown < versions.length && (versions[shown]?.atMs ?? Infinity) <= t) shown++;
      const visible = versions[shown - 1]?.backends;
      for (const backend of truth) {
        for (
          let c = backend.changes[backend.next];
          c !== undefined && c[0] <= t;
          c = backend.changes[backend.next]
        ) {
          backend.status = CRD_BACKEND_STATUS[c[1]];
          backend.next++;
        }
        samples++;
        if (visible?.get(backend.name) !== backend.status) stale++;
      }
    }
    return samples === 0 ? 0 : stale / samples;
  }

  /** Whether `name`'s top-level status shows every backend in `expected` with that status. */
  shows(name: string, expected: ReadonlyMap<string, string>): boolean {
    const last = this.#seen.get(name)?.at(-1)?.backends;
    if (last === undefined) return false;
    return [...expected].every(([backend, status]) => last.get(backend) === status);
  }

  /**
   * When each change (times relative to `startMs`) first showed: the first version at
   * or after the change whose status for that backend is the new one, provided it
   * arrived before the backend changed again.
   */
  visibility(name: string, changes: readonly Change[], startMs: number): Visibility {
    const versions = this.#seen.get(name) ?? [];
    const latenciesMs: number[] = [];
    let superseded = 0;
    let unseen = 0;
    for (const change of changes) {
      const from = startMs + change.atMs;
      const until = startMs + change.untilMs;
      const shown = versions.find(
        (v) =>
          v.atMs >= from && v.backends?.get(change.backend) === CRD_BACKEND_STATUS[change.status],
      );
      if (shown !== undefined && shown.atMs < until) latenciesMs.push(shown.atMs - from);
      else if (Number.isFinite(change.untilMs)) superseded++;
      else unseen++;
    }
    return { latenciesMs: latenciesMs.sort((a, b) => a - b), superseded, unseen };
  }

  /** Throws if the watch failed since it started. */
  check(): void {
    if (this.#failure !== undefined) {
      throw new Error(`status watch of ${this.#path} failed`, { cause: this.#failure });
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  #record(object: VmcpJson): void {
    const name = object.metadata?.name ?? '';
    const resourceVersion = object.metadata?.resourceVersion ?? '';
    const versions = this.#seen.get(name) ?? [];
    this.#seen.set(name, versions);
    if (versions.at(-1)?.resourceVersion === resourceVersion) return;
    const backends = this.trackBackends
      ? new Map(
          (object.status?.discoveredBackends ?? []).map((b) => [b.name ?? '', b.status ?? '']),
        )
      : undefined;
    versions.push({ atMs: wallNow(), resourceVersion, ...(backends ? { backends } : {}) });
  }

  async #watch(): Promise<void> {
    const watcher = new Watch(this.kc);
    // client-node gives up on a watch silent for 30 s; a steady state is that silent.
    const settable = watcher as unknown as { requestTimeoutMs?: unknown };
    if (typeof settable.requestTimeoutMs === 'number') settable.requestTimeoutMs = 3_600_000;
    this.#abort = await watcher.watch(
      this.#path,
      { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 3000 },
      (type: string, object: VmcpJson) => {
        if (type === 'ERROR') {
          this.#failure = new Error(`watch error event: ${JSON.stringify(object)}`);
          return;
        }
        this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.#record(object);
      },
      (err: unknown) => {
        if (this.#stopped) return;
        if (err !== null && err !== undefined) this.#failure = err;
        else void this.#watch().catch((e: unknown) => (this.#failure = e));
      },
    );
  }
}

/**
 * etcd's current revision, from a quorum list of one namespace: every write after
 * this moment gets a resourceVersion above it. Lists namespaces, so requests of the
 * resource being measured do not change.
 */
export async function etcdRevision(kc: KubeConfig): Promise<bigint> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespace({ limit: 1 });
  return BigInt(list.metadata?.resourceVersion ?? '0');
}
