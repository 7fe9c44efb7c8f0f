import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type HttpInfo,
  type KubeConfig,
} from '@kubernetes/client-node';
import { vmcpResource } from '../../src/apply/vmcp-resource.js';
import type { ManifestObject } from './manifests.js';

/** What the apiserver answered to a write: code, Status message, warning header. */
export interface WriteAnswer {
  readonly code: number;
  /** The `Status` reason of a failure, e.g. `Forbidden`. */
  readonly reason?: string;
  /** The `Status` message of a failure. */
  readonly message?: string;
  /** The `Warning` response header of a success, when there is one. */
  readonly warning?: string;
  /** `metadata.resourceVersion` of a success. */
  readonly resourceVersion?: string;
}

/** Resolves a client-node call `…WithHttpInfo` into a {@link WriteAnswer}, never rejecting on an HTTP error. */
export async function answerOf(call: Promise<HttpInfo<unknown>>): Promise<WriteAnswer> {
  try {
    const info = await call;
    const data = info.data as { metadata?: { resourceVersion?: string } };
    const warning = info.headers.warning;
    return {
      code: info.httpStatusCode,
      ...(warning !== undefined ? { warning } : {}),
      ...(data.metadata?.resourceVersion !== undefined
        ? { resourceVersion: data.metadata.resourceVersion }
        : {}),
    };
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const e = err as ApiException<unknown>;
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as {
      reason?: string;
      message?: string;
    };
    return {
      code: e.code,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      ...(body.message !== undefined ? { message: body.message } : {}),
    };
  }
}

const { group, version, plural } = vmcpResource();

/** Where a status write goes. */
export interface StatusTarget {
  readonly namespace: string;
  readonly name: string;
}

/** Server-side applies `status` to the status subresource as `kc`; `dryRun` to only ask admission. */
export function applyStatus(
  kc: KubeConfig,
  target: StatusTarget,
  status: Record<string, unknown>,
  options: { fieldManager?: string; dryRun?: boolean } = {},
): Promise<WriteAnswer> {
  return answerOf(
    kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatusWithHttpInfo(
      {
        group,
        version,
        plural,
        ...target,
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'VirtualMCPServer',
          metadata: { ...target },
          status,
        },
        fieldManager: options.fieldManager ?? 'vmcp-tests',
        force: true,
        ...(options.dryRun === true ? { dryRun: 'All' } : {}),
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    ),
  );
}

/** The object as `kc` reads it from the status subresource (RBAC: get on `virtualmcpservers/status`). */
export async function readVmcp(
  kc: KubeConfig,
  target: StatusTarget,
): Promise<ManifestObject & { status?: Record<string, unknown> }> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObjectStatus({
    group,
    version,
    plural,
    ...target,
  })) as ManifestObject & { status?: Record<string, unknown> };
}

/** A plain Update (PUT) of the status subresource as `kc`: read, `change`, write back. */
export async function updateStatus(
  kc: KubeConfig,
  target: StatusTarget,
  change: (status: Record<string, unknown>) => void,
): Promise<WriteAnswer> {
  const object = await readVmcp(kc, target);
  const status = structuredClone(object.status ?? {});
  change(status);
  return answerOf(
    kc.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObjectStatusWithHttpInfo({
      group,
      version,
      plural,
      ...target,
      body: { ...object, status },
    }),
  );
}
