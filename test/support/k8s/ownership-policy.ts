import {
  AdmissionregistrationV1Api,
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type HttpInfo,
} from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.js';
import { applyObjects, readManifest, type ManifestObject } from './manifests.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';

/**
 * The committed policy (manifests/admission/policy.yaml) under its own name, bound by
 * the committed binding(s) to the given namespaces only: the policy is cluster-wide and
 * other test files share the apiserver, so a test never puts it in force anywhere else.
 */
export interface ScopedPolicy {
  readonly policyName: string;
  /** Binding name per namespace. */
  readonly bindings: ReadonlyMap<string, string>;
  /** Deletes the bindings and the policy. */
  remove(): Promise<void>;
}

/**
 * Installs the committed policy as `name`, with one binding per entry of `namespaces`:
 * `manifests/admission/binding.yaml` ([Deny]) or `binding-warn.yaml` ([Warn, Audit]),
 * renamed and limited to that namespace by `kubernetes.io/metadata.name`.
 */
export async function installScopedPolicy(
  admin: KubeConfig,
  name: string,
  namespaces: ReadonlyArray<{ namespace: string; mode: 'deny' | 'warn' }>,
): Promise<ScopedPolicy> {
  const [policy] = readManifest('admission/policy.yaml');
  if (policy === undefined) throw new Error('manifests/admission/policy.yaml holds no object');
  const bindings = new Map<string, string>();
  const objects: ManifestObject[] = [{ ...policy, metadata: { name } }];
  for (const { namespace, mode } of namespaces) {
    const [binding] = readManifest(
      mode === 'deny' ? 'admission/binding.yaml' : 'admission/binding-warn.yaml',
    );
    if (binding === undefined) throw new Error(`the ${mode} binding manifest holds no object`);
    const bindingName = `${name}-${mode}`;
    bindings.set(namespace, bindingName);
    const spec = binding.spec as Record<string, unknown>;
    objects.push({
      ...binding,
      metadata: { name: bindingName },
      spec: {
        ...spec,
        policyName: name,
        matchResources: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        },
      },
    });
  }
  await applyObjects(admin, objects);
  const api = admin.makeApiClient(AdmissionregistrationV1Api);
  return {
    policyName: name,
    bindings,
    async remove() {
      for (const binding of bindings.values())
        await api.deleteValidatingAdmissionPolicyBinding({ name: binding }).catch(() => undefined);
      await api.deleteValidatingAdmissionPolicy({ name }).catch(() => undefined);
    },
  };
}

/**
 * A KubeConfig that acts as `username` by impersonation (the admin's cert with
 * `Impersonate-User`): the apiserver sees that user and its ServiceAccount groups, not
 * `system:masters`, and RBAC applies. Lets a test be the operator's ServiceAccount
 * without creating its namespace, which another test file owns.
 */
export function impersonating(plane: ControlPlane, username: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'vmcp-test', server: plane.server, caFile: plane.pki.caCert, skipTLSVerify: false },
    ],
    users: [
      {
        name: username,
        certFile: plane.pki.adminCert,
        keyFile: plane.pki.adminKey,
        impersonateUser: username,
      },
    ],
    contexts: [{ name: 'as', cluster: 'vmcp-test', user: username }],
    currentContext: 'as',
  });
  return kc;
}

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
