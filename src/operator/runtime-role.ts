import type { V1PolicyRule } from '@kubernetes/client-node';

/**
 * What the vMCP runtime of one VirtualMCPServer may do: read and watch its own object,
 * apply its status (SSA needs only `patch`), record Events. The same rules as the
 * Role in manifests/runtime/rbac.yaml (a test keeps them equal).
 */
const RUNTIME_RULES: ReadonlyArray<{
  readonly rule: V1PolicyRule;
  /** Restricted to the one VirtualMCPServer by `resourceNames`. */
  readonly ownObjectOnly: boolean;
}> = [
  {
    rule: {
      apiGroups: ['toolhive.stacklok.dev'],
      resources: ['virtualmcpservers'],
      verbs: ['get', 'watch'],
    },
    ownObjectOnly: true,
  },
  {
    rule: {
      apiGroups: ['toolhive.stacklok.dev'],
      resources: ['virtualmcpservers/status'],
      verbs: ['get', 'patch'],
    },
    ownObjectOnly: true,
  },
  {
    // Event names are generated: they cannot be listed in resourceNames.
    rule: { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ownObjectOnly: false,
  },
];

/** The runtime Role's rules for VirtualMCPServer `vmcpName`, in the manifest's order. Pure. */
export function runtimeRoleRules(vmcpName: string): V1PolicyRule[] {
  return RUNTIME_RULES.map(({ rule, ownObjectOnly }) => ({
    apiGroups: [...(rule.apiGroups ?? [])],
    resources: [...(rule.resources ?? [])],
    ...(ownObjectOnly ? { resourceNames: [vmcpName] } : {}),
    verbs: [...rule.verbs],
  }));
}
