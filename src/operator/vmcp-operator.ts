import { VMCP_PLURAL, vmcpResource } from '../apply/vmcp-resource.js';
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { FIELD_MANAGERS } from '../apply/ownership.js';
import { VMCP_KIND } from '../apply/status-patch.js';
import { createLogger, type Logger } from '../logger.js';
import { checkNumber } from '../validate.js';
import { CHILD_KINDS, childKindApis, type ChildKind } from './child-kinds.js';
import { MANAGED_BY_LABEL } from './child-objects.js';
import { Controller } from './controller.js';
import {
  controllerOwner,
  observedVersion,
  specChanged,
  type ObservedVersion,
} from './event-filter.js';
import { InformerSource } from './informer-source.js';
import type { OperatorMetrics } from './operator-metrics.js';
import { VmcpReconciler, type VmcpObject } from './vmcp-reconciler.js';

/** Options of {@link VmcpOperator}. */
export interface VmcpOperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch this namespace only. Defaults to every namespace. */
  readonly namespace?: string | undefined;
  /** The SSA field manager for children and status. Defaults to `vmcp-operator`. */
  readonly fieldManager?: string | undefined;
  /** Defaults to `vmcp-status.dev/v1beta1`. */
  readonly apiVersion?: string | undefined;
  /** For `status.url`. Defaults to `cluster.local`. */
  readonly clusterDomain?: string | undefined;
  /** The runtime pods' image (an operator setting: no VirtualMCPServer picks it). Defaults to this release's. */
  readonly runtimeImage?: string | undefined;
  /**
   * Every cached VirtualMCPServer is reconciled this often, plus up to 10 % jitter
   * (repairs drift that no event announces). 0 turns it off. Defaults to 10 min.
   */
  readonly resyncPeriodMs?: number | undefined;
  /** Reconciles at once (never two for one object). Defaults to 1. */
  readonly concurrency?: number | undefined;
  /** Backoff of a failed reconcile's first retry. Defaults to 5 ms. */
  readonly baseDelayMs?: number | undefined;
  /** Longest backoff. Defaults to 1000 s. */
  readonly maxDelayMs?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly metrics?: OperatorMetrics | undefined;
}

/**
 * The VirtualMCPServer operator: informers on VirtualMCPServers and on the children it
 * labels (`app.kubernetes.io/managed-by=vmcp-operator`), a {@link Controller} whose
 * work queue they feed, and the {@link VmcpReconciler}.
 *
 * What enqueues a reconcile: a VirtualMCPServer added, deleted, or updated with a new
 * `generation` (a spec change; status and managedFields changes never do); any event
 * on a child, for its controlling owner (so a Deployment turning available updates
 * `Available`, and a deleted or edited child is put back); and the periodic resync.
 */
export class VmcpOperator {
  readonly controller: Controller;
  readonly #vmcps: InformerSource<VmcpObject>;
  readonly #children = new Map<ChildKind, InformerSource<KubernetesObject>>();
  readonly #seen = new Map<string, ObservedVersion>();
  readonly #logger: Logger;
  readonly #resyncMs: number;
  readonly #group: string;
  #resync: NodeJS.Timeout | undefined;
  #ignored = 0;

  constructor(private readonly options: VmcpOperatorOptions) {
    const { apiVersion, group, version } = vmcpResource(options.apiVersion);
    this.#group = group;
    this.#resyncMs = checkNumber('resyncPeriodMs', options.resyncPeriodMs ?? 600_000, {
      min: 0,
    });
    // The controller binds its own `component` on the root: a child of this child
    // would write the key twice on one JSON line.
    const root = options.logger ?? createLogger();
    this.#logger = root.child({
      component: 'operator',
      fieldManager: options.fieldManager ?? FIELD_MANAGERS.operator,
      ...(options.namespace !== undefined ? { watchNamespace: options.namespace } : {}),
    });
    const { kubeConfig, namespace, metrics } = options;
    const childApis = childKindApis(kubeConfig);
    const labelSelector = `${MANAGED_BY_LABEL}=vmcp-operator`;
    for (const kind of CHILD_KINDS) {
      const api = childApis.get(kind);
      if (api === undefined) continue;
      const onEvent = (object: KubernetesObject) => {
        this.#onChild(kind, object);
      };
      this.#children.set(
        kind,
        new InformerSource({
          name: kind,
          kubeConfig,
          path: api.path(namespace),
          list: () => api.list(namespace, labelSelector),
          labelSelector,
          logger: this.#logger,
          onAdd: onEvent,
          onUpdate: onEvent,
          onDelete: onEvent,
        }),
      );
    }
    const objects = kubeConfig.makeApiClient(CustomObjectsApi);
    const plural = VMCP_PLURAL;
    this.#vmcps = new InformerSource<VmcpObject>({
      name: VMCP_KIND,
      kubeConfig,
      path:
        namespace === undefined
          ? `/apis/${group}/${version}/${plural}`
          : `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      list: async () =>
        (await (namespace === undefined
          ? objects.listClusterCustomObject({ group, version, plural })
          : objects.listNamespacedCustomObject({
              group,
              version,
              namespace,
              plural,
            }))) as KubernetesListObject<VmcpObject>,
      logger: this.#logger,
      onAdd: (o) => {
        this.#onVmcp(o, 'add');
      },
      onUpdate: (o) => {
        this.#onVmcp(o, 'update');
      },
      onDelete: (o) => {
        this.#onVmcp(o, 'delete');
      },
    });
    const reconciler = new VmcpReconciler({
      kubeConfig,
      childApis,
      logger: this.#logger,
      apiVersion,
      ...(options.fieldManager !== undefined ? { fieldManager: options.fieldManager } : {}),
      ...(options.clusterDomain !== undefined ? { clusterDomain: options.clusterDomain } : {}),
      ...(options.runtimeImage !== undefined ? { runtimeImage: options.runtimeImage } : {}),
      caches: {
        vmcp: (ns, name) => this.#vmcps.get(name, ns),
        child: (kind, ns, name) => this.#children.get(kind)?.get(name, ns),
      },
      ...(metrics !== undefined
        ? {
            onChildApply: (kind, action) => {
              metrics.observeChildApply(kind, action);
            },
            onStatusApply: (outcome) => {
              metrics.observeStatusApply(outcome);
            },
          }
        : {}),
    });
    this.controller = new Controller({
      name: 'virtualmcpserver',
      reconciler,
      logger: root,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
      ...(options.maxDelayMs !== undefined ? { maxDelayMs: options.maxDelayMs } : {}),
      ...(metrics !== undefined
        ? {
            onReconcile: (result, _request, seconds) => {
              metrics.observeReconcile(result, seconds);
            },
            onQueueDepth: (depth) => {
              metrics.queueDepth.set(depth);
            },
          }
        : {}),
    });
  }

  /** Reconciles so far. */
  get reconcileCount(): number {
    return this.controller.reconcileCount;
  }

  /** VirtualMCPServer updates that did not enqueue a reconcile (status or metadata only). */
  get ignoredEvents(): number {
    return this.#ignored;
  }

  /**
   * Fills the caches (children first, so the first reconciles see them), then starts
   * reconciling. Rejects when a first list fails: the CRD is not installed, or RBAC
   * refuses.
   */
  async start(): Promise<void> {
    try {
      await Promise.all([...this.#children.values()].map((source) => source.start()));
      await this.#vmcps.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.controller.start();
    this.#scheduleResync();
    this.#logger.info(
      { virtualMCPServers: this.#vmcps.list(this.options.namespace).length },
      'operator started',
    );
  }

  /** Stops watching and waits for running reconciles to end. */
  async stop(): Promise<void> {
    clearTimeout(this.#resync);
    this.#resync = undefined;
    await Promise.all([
      this.#vmcps.stop(),
      ...[...this.#children.values()].map((source) => source.stop()),
    ]);
    await this.controller.stop();
  }

  #onVmcp(object: VmcpObject, event: 'add' | 'update' | 'delete'): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    const key = `${namespace}/${name}`;
    if (event === 'delete') {
      this.#seen.delete(key);
    } else {
      const current = observedVersion(object);
      const previous = this.#seen.get(key);
      this.#seen.set(key, current);
      if (event === 'update' && !specChanged(previous, current)) {
        this.#ignored++;
        this.options.metrics?.observeWatchEvent(VMCP_KIND, 'ignored');
        return;
      }
    }
    this.options.metrics?.observeWatchEvent(VMCP_KIND, 'enqueued');
    this.#logger.debug(
      { event, namespace, name, generation: object.metadata?.generation },
      'VirtualMCPServer event: reconcile',
    );
    this.controller.enqueue({ namespace, name });
  }

  #onChild(kind: ChildKind, object: KubernetesObject): void {
    const owner = controllerOwner(object, this.#group, VMCP_KIND);
    if (owner === undefined) {
      this.options.metrics?.observeWatchEvent(kind, 'ignored');
      return;
    }
    this.options.metrics?.observeWatchEvent(kind, 'enqueued');
    this.#logger.debug(
      {
        kind,
        child: object.metadata?.name,
        resourceVersion: object.metadata?.resourceVersion,
        namespace: owner.namespace,
        name: owner.name,
      },
      'child event: reconcile its owner',
    );
    this.controller.enqueue(owner);
  }

  #scheduleResync(): void {
    if (this.#resyncMs === 0) return;
    const delay = this.#resyncMs * (1 + 0.1 * Math.random());
    this.#resync = setTimeout(() => {
      for (const object of this.#vmcps.list(this.options.namespace)) {
        this.controller.enqueue({
          namespace: object.metadata?.namespace ?? '',
          name: object.metadata?.name ?? '',
        });
      }
      this.#scheduleResync();
    }, delay);
    this.#resync.unref();
  }
}
