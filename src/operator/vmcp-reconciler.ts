import { VMCP_PLURAL, vmcpResource } from '../apply/vmcp-resource.js';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
} from '@kubernetes/client-node';
import { classifyApplyError } from '../apply/apply-error.js';
import { FIELD_MANAGERS } from '../apply/ownership.js';
import { VMCP_KIND, type ConditionJson } from '../apply/status-patch.js';
import type { Logger } from '../logger.js';
import { availableCondition } from './available-condition.js';
import { ChildApplier, ChildApplyError, type ChildApplyAction } from './child-applier.js';
import type { ChildKind, ChildKindApi } from './child-kinds.js';
import { childName, childObjects, serviceUrl } from './child-objects.js';
import {
  holdsOperatorStatus,
  operatorStatusPatch,
  type OperatorCondition,
  type OperatorStatus,
} from './operator-status-patch.js';
import type { StatusApplyOutcome } from './operator-metrics.js';
import { TerminalError, type Reconciler, type Request, type Result } from './reconcile.js';
import { DEFAULT_RUNTIME_IMAGE } from './runtime-image.js';
import { validateSpec } from './validate-spec.js';

/** A VirtualMCPServer as the informer caches it (plain JSON). */
export type VmcpObject = KubernetesObject & {
  spec?: unknown;
  status?: Record<string, unknown>;
};

/** Where the reconciler reads objects: the informers' caches. */
export interface ReconcilerCaches {
  vmcp(namespace: string, name: string): VmcpObject | undefined;
  child(kind: ChildKind, namespace: string, name: string): KubernetesObject | undefined;
}

/** Options of {@link VmcpReconciler}. */
export interface VmcpReconcilerOptions {
  readonly kubeConfig: KubeConfig;
  readonly caches: ReconcilerCaches;
  readonly childApis: ReadonlyMap<ChildKind, ChildKindApi>;
  readonly logger: Logger;
  /** Defaults to `vmcp-operator`. */
  readonly fieldManager?: string;
  /** Defaults to `vmcp-status.dev/v1beta1`. */
  readonly apiVersion?: string;
  /** For `status.url`. Defaults to `cluster.local`. */
  readonly clusterDomain?: string;
  /** The runtime pods' image. Defaults to {@link DEFAULT_RUNTIME_IMAGE}. */
  readonly runtimeImage?: string;
  /** Candidate condition transition times. Defaults to the wall clock. */
  readonly now?: () => Date;
  readonly onChildApply?: (kind: ChildKind, action: ChildApplyAction | 'failed') => void;
  readonly onStatusApply?: (outcome: StatusApplyOutcome) => void;
}

const PLURAL = VMCP_PLURAL;

/**
 * Reconciles one VirtualMCPServer: validates its spec, server-side applies its
 * children as `vmcp-operator` (nothing when the spec is invalid), then applies the
 * operator-owned status (`url`, `observedGeneration`, `Valid`, `Reconciled`,
 * `Available`) when it differs from what the server holds. A reconcile with nothing
 * to change sends nothing, or only applies the server finds equal.
 */
export class VmcpReconciler implements Reconciler {
  readonly #applier: ChildApplier;
  readonly #api: CustomObjectsApi;
  readonly #fieldManager: string;
  readonly #apiVersion: string;
  readonly #group: string;
  readonly #version: string;
  readonly #now: () => Date;

  constructor(private readonly options: VmcpReconcilerOptions) {
    this.#fieldManager = options.fieldManager ?? FIELD_MANAGERS.operator;
    ({
      apiVersion: this.#apiVersion,
      group: this.#group,
      version: this.#version,
    } = vmcpResource(options.apiVersion));
    this.#now = options.now ?? (() => new Date());
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#applier = new ChildApplier({
      apis: options.childApis,
      fieldManager: this.#fieldManager,
      ...(options.onChildApply !== undefined ? { onApply: options.onChildApply } : {}),
    });
  }

  async reconcile(request: Request): Promise<Result> {
    const { namespace, name } = request;
    const vmcp = this.options.caches.vmcp(namespace, name);
    const log = this.options.logger.child({ namespace, name });
    if (vmcp === undefined) {
      // Deleted: the garbage collector removes the children (they carry owner references).
      this.#applier.forget(namespace, childName(name));
      return {};
    }
    if (vmcp.metadata?.deletionTimestamp != null) return {};
    const generation = vmcp.metadata?.generation ?? 0;
    const cachedDeployment = () =>
      this.options.caches.child('Deployment', namespace, childName(name));
    const cachedUrl = () =>
      this.options.caches.child('Service', namespace, childName(name)) === undefined
        ? undefined
        : serviceUrl(request, this.options.clusterDomain);

    const validation = validateSpec({ metadata: { name }, spec: vmcp.spec }, this.#fieldManager);
    if (!validation.valid) {
      const message = truncate(validation.problems.map((p) => p.message).join('; '));
      log.warn(
        { problems: validation.problems.map((p) => p.message) },
        'invalid spec: children left as they are',
      );
      await this.#writeStatus(vmcp, log, {
        url: cachedUrl(),
        observedGeneration: generation,
        conditions: [
          { type: 'Valid', status: 'False', reason: 'InvalidSpec', message },
          {
            type: 'Reconciled',
            status: 'False',
            reason: 'InvalidSpec',
            message: 'the spec is invalid (see Valid): children left as they are',
          },
          { type: 'Available', ...availableCondition(cachedDeployment()) },
        ],
      });
      // Retrying the same spec cannot help; a spec change enqueues a new reconcile.
      return {};
    }

    const owner = {
      apiVersion: this.#apiVersion,
      kind: VMCP_KIND,
      name,
      namespace,
      uid: vmcp.metadata?.uid ?? '',
    };
    const children = childObjects(owner, validation.spec, {
      image: this.options.runtimeImage ?? DEFAULT_RUNTIME_IMAGE,
    });
    let deployment: V1Deployment | undefined;
    const changed: string[] = [];
    try {
      for (const child of children.all) {
        const kind = child.kind as ChildKind;
        const result = await this.#applier.apply(
          child,
          this.options.caches.child(kind, namespace, child.metadata?.name ?? ''),
        );
        if (kind === 'Deployment') deployment = result.object;
        if (result.action === 'created' || result.action === 'configured') {
          changed.push(`${kind}/${result.name} ${result.action}`);
        }
      }
    } catch (err) {
      if (!(err instanceof ChildApplyError)) throw err;
      await this.#writeStatus(vmcp, log, {
        url: cachedUrl(),
        observedGeneration: generation,
        conditions: [
          { type: 'Valid', status: 'True', reason: 'SpecValid', message: 'the spec is valid' },
          {
            type: 'Reconciled',
            status: 'False',
            reason: 'ApplyFailed',
            message: truncate(`${err.subject}: ${shortFailure(err)}`),
          },
          { type: 'Available', ...availableCondition(cachedDeployment()) },
        ],
      });
      // A schema rejection repeats until the spec changes; anything else may pass later.
      if (err.failure.kind === 'invalid' || err.failure.kind === 'unknown-fields') {
        throw new TerminalError(err.message, { cause: err });
      }
      throw err;
    }
    if (changed.length > 0) log.info({ changed }, 'children applied');

    await this.#writeStatus(vmcp, log, {
      url: serviceUrl(request, this.options.clusterDomain),
      observedGeneration: generation,
      conditions: [
        { type: 'Valid', status: 'True', reason: 'SpecValid', message: 'the spec is valid' },
        {
          type: 'Reconciled',
          status: 'True',
          reason: 'ChildrenApplied',
          message: `ServiceAccount, Role, RoleBinding, Service and Deployment ${childName(name)} applied`,
        },
        { type: 'Available', ...availableCondition(deployment) },
      ],
    });
    return {};
  }

  /** Applies the operator's status unless the server (as cached) already holds it. */
  async #writeStatus(vmcp: VmcpObject, log: Logger, status: OperatorStatus): Promise<void> {
    const name = vmcp.metadata?.name ?? '';
    const namespace = vmcp.metadata?.namespace ?? '';
    const previous = (vmcp.status?.conditions ?? []) as ConditionJson[];
    const patch = operatorStatusPatch(
      { name, namespace, apiVersion: this.#apiVersion },
      status,
      previous,
      this.#now(),
    );
    if (holdsOperatorStatus(vmcp.status, patch.status)) {
      this.options.onStatusApply?.('unchanged');
      return;
    }
    try {
      await this.#api.patchNamespacedCustomObjectStatus(
        {
          group: this.#group,
          version: this.#version,
          namespace,
          plural: PLURAL,
          name,
          body: patch,
          fieldManager: this.#fieldManager,
          force: true,
          fieldValidation: 'Strict',
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    } catch (err) {
      this.options.onStatusApply?.('failed');
      const failure = classifyApplyError(err);
      if (failure.kind === 'not-found') return; // deleted meanwhile
      throw new ChildApplyError(`${VMCP_KIND}/${namespace}/${name}/status`, failure, {
        cause: err,
      });
    }
    this.options.onStatusApply?.('applied');
    log.info({ conditions: summarize(status.conditions) }, 'status applied');
  }
}

function summarize(conditions: readonly OperatorCondition[]): Record<string, string> {
  return Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
}

function shortFailure(err: ChildApplyError): string {
  const { failure } = err;
  switch (failure.kind) {
    case 'forbidden':
      // A policy's denial says what to change; an RBAC refusal only that a grant is missing.
      return failure.byPolicy
        ? `denied by an admission policy (403): ${failure.summary}`
        : 'forbidden (403): the operator lacks a permission';
    case 'not-found':
      return 'not found (404)';
    case 'invalid':
      return `rejected (${failure.code}): ${failure.causes.join('; ')}`;
    case 'unknown-fields':
      return `unknown fields: ${failure.fields.join(', ')}`;
    case 'retriable':
      return failure.summary;
  }
}

function truncate(text: string, max = 1024): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
