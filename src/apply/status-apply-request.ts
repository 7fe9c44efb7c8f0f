import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { withDeadline } from './request-deadline.js';
import type { OwnObjectRef } from './watch-own-object.js';

/** The parameters of one server-side apply of the status subresource. */
export interface StatusApplyRequest {
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly plural: string;
  readonly name: string;
  readonly body: object;
  readonly fieldManager: string;
  /** Always true: the runtime's fields are its own, whoever wrote them last. */
  readonly force: true;
  /** Always `Strict`: an unknown field is an error, never silently pruned. */
  readonly fieldValidation: 'Strict';
}

/**
 * The request for a server-side apply of `body` to `target`'s status subresource as
 * `fieldManager`: `PATCH …/status?fieldManager=…&force=true&fieldValidation=Strict`
 * with the apply content type (see {@link sendStatusApply}). Pure.
 */
export function statusApplyRequest(
  target: OwnObjectRef,
  body: object,
  fieldManager: string,
): StatusApplyRequest {
  return {
    group: target.group,
    version: target.version,
    namespace: target.namespace,
    plural: target.plural,
    name: target.name,
    body,
    fieldManager,
    force: true,
    fieldValidation: 'Strict',
  };
}

/** Sends one status apply and resolves with the object the apiserver returned. */
export class StatusApplier {
  readonly #api: CustomObjectsApi;

  /** @param timeoutMs a write with no answer after this long rejects (see {@link withDeadline}). */
  constructor(
    kubeConfig: KubeConfig,
    private readonly timeoutMs: number,
  ) {
    this.#api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /**
   * Rejects with client-node's `ApiException` on an HTTP error, a plain error without
   * an answer (a `TimeoutError` after `timeoutMs`).
   */
  async send(request: StatusApplyRequest): Promise<Record<string, unknown>> {
    return (await this.#api.patchNamespacedCustomObjectStatus(
      { ...request },
      // The generated client would send a merge-patch content type otherwise.
      withDeadline(this.timeoutMs, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)),
    )) as Record<string, unknown>;
  }
}
