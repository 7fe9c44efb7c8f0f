import type { KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.js';
import { applyObjects, readManifest } from './manifests.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * The runtime Role rules of manifests/runtime/rbac.yaml (written for the example
 * `demo`), pointed at VirtualMCPServer `vmcpName`: its own object and its write Lease.
 */
export function runtimeRules(vmcpName: string): Rule[] {
  const role = readManifest('runtime/rbac.yaml').find((o) => o.kind === 'Role');
  const rules = (role?.rules ?? []) as Rule[];
  const rename = (name: string): string =>
    name === 'demo' ? vmcpName : name === 'demo-vmcp-status' ? `${vmcpName}-vmcp-status` : name;
  return rules.map((r) =>
    r.resourceNames !== undefined ? { ...r, resourceNames: r.resourceNames.map(rename) } : r,
  );
}

/**
 * Creates ServiceAccount `sa` bound to a Role with `rules` (default: the runtime's,
 * for `vmcpName`) and returns a KubeConfig acting as it, with a minted token.
 */
export async function runtimeIdentity(
  plane: ControlPlane,
  namespace: string,
  vmcpName: string,
  options: { sa?: string; rules?: Rule[] } = {},
): Promise<KubeConfig> {
  const sa = options.sa ?? `${vmcpName}-vmcp`;
  await applyObjects(plane.adminKubeConfig(), [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: sa, namespace },
      rules: options.rules ?? runtimeRules(vmcpName),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: sa, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    },
  ]);
  return plane.serviceAccountKubeConfig(namespace, sa);
}
