import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIELD_MANAGERS } from '../src/apply/ownership.js';
import type { ConditionJson } from '../src/apply/status-patch.js';
import { vmcpResource } from '../src/apply/vmcp-resource.js';
import { operatorStatusPatch } from '../src/operator/operator-status-patch.js';

/**
 * What this project's operator does to status, on a timer: a server-side apply of
 * its own fields (`operatorStatusPatch`, field manager `vmcp-operator`) on each
 * object, `Available`'s message new each time. Stands in for the operator's
 * reconciles (Deployment events) while a benchmark measures conflicts.
 */
export class OursOperatorWriter {
  #writes = 0;
  #conflicts = 0;
  readonly #previous = new Map<string, ConditionJson[]>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly names: readonly string[],
    private readonly apiVersion: string,
  ) {}

  /** Writes sent, and how many of them the apiserver answered 409. */
  get counts(): { writes: number; conflicts: number } {
    return { writes: this.#writes, conflicts: this.#conflicts };
  }

  /** Writes every `periodMs` until `signal` aborts. */
  async run(periodMs: number, signal: AbortSignal): Promise<void> {
    const api = this.kubeConfig.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = vmcpResource(this.apiVersion);
    const aborted = (): boolean => signal.aborted;
    for (let n = 1; ; n++) {
      await sleep(periodMs, undefined, { signal }).catch(() => undefined);
      if (aborted()) return;
      for (const name of this.names) {
        const ref = { namespace: this.namespace, name, apiVersion: this.apiVersion };
        const body = operatorStatusPatch(
          ref,
          {
            url: `http://vmcp-${name}.${this.namespace}.svc.cluster.local:4483`,
            observedGeneration: 1,
            conditions: [
              { type: 'Valid', status: 'True', reason: 'SpecValid', message: 'Spec is valid' },
              {
                type: 'Reconciled',
                status: 'True',
                reason: 'Applied',
                message: 'Children applied',
              },
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: `Deployment has minimum availability (write ${String(n)})`,
              },
            ],
          },
          this.#previous.get(name),
          new Date(),
        );
        this.#previous.set(name, body.status.conditions);
        try {
          // Counted once answered, as the apiserver counts it.
          await api.patchNamespacedCustomObjectStatus(
            {
              group,
              version,
              namespace: this.namespace,
              plural,
              name,
              body,
              fieldManager: FIELD_MANAGERS.operator,
              force: true,
            },
            setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
          );
          this.#writes++;
        } catch (err) {
          if (err instanceof ApiException && err.code === 409) {
            this.#writes++;
            this.#conflicts++;
          } else if (!aborted()) throw err;
        }
      }
    }
  }
}
