import { AdmissionregistrationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from '../../../tools/cluster/control-plane.js';
import {
  applyObjects,
  readManifest,
  type ManifestObject,
} from '../../../tools/cluster/manifests.js';

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
