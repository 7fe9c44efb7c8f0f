import type { V1PolicyRule } from '@kubernetes/client-node';
import { statusLeaseName } from '../apply/status-write-lease.js';

/**
 * What the vMCP runtime of one VirtualMCPServer may do: read and watch its own object,
 * apply its status (SSA needs only `patch`), record Events, and hold its status write
 * Lease. The same rules as the Role in manifests/runtime/rbac.yaml (a test keeps them
 * equal).
 */
const RUNTIME_RULES: ReadonlyArray<{
  readonly rule: V1PolicyRule;
  /** Restricted by `resourceNames` to these, for VirtualMCPServer `name`. */
  readonly only?: (name: string) => string[];
}> = [
  {
    rule: {
      apiGroups: ['vmcp-status.dev'],
      resources: ['virtualmcpservers'],
      verbs: ['get', 'watch'],
    },
    only: (name) => [name],
  },
  {
    rule: {
      apiGroups: ['vmcp-status.dev'],
      resources: ['virtualmcpservers/status'],
      verbs: ['get', 'patch'],
    },
    only: (name) => [name],
  },
  {
    // Event names are generated: they cannot be listed in resourceNames.
    rule: { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  },
  {
    // The write Lease of its status (src/apply/status-write-lease.ts).
    rule: { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'] },
    only: (name) => [statusLeaseName(name)],
  },
  {
    // RBAC cannot restrict create by name: the name is not in a create's URL.
    rule: { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  },
];

/** The runtime Role's rules for VirtualMCPServer `vmcpName`, in the manifest's order. Pure. */
export function runtimeRoleRules(vmcpName: string): V1PolicyRule[] {
  return RUNTIME_RULES.map(({ rule, only }) => ({
    apiGroups: [...(rule.apiGroups ?? [])],
    resources: [...(rule.resources ?? [])],
    ...(only !== undefined ? { resourceNames: only(vmcpName) } : {}),
    verbs: [...rule.verbs],
  }));
}
