import {
  CustomObjectsApi,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
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

/**
 * Sends one status apply and resolves with the object the apiserver returned; gives up
 * after `timeoutMs` without an answer (client-node sets no deadline of its own, and
 * undici waits 300 s for response headers).
 */
export class StatusApplier {
  readonly #api: CustomObjectsApi;

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
    // The generated client would send a merge-patch content type otherwise.
    const options = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const deadline: ObservableMiddleware = {
      pre: (context: RequestContext) => {
        context.setSignal(AbortSignal.timeout(this.timeoutMs));
        return new Observable(Promise.resolve(context));
      },
      post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
    };
    return (await this.#api.patchNamespacedCustomObjectStatus(
      { ...request },
      { ...options, middleware: [...(options.middleware ?? []), deadline] },
    )) as Record<string, unknown>;
  }
}
