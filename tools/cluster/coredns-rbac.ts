/**
 * What CoreDNS may read, as the user `vmcp:coredns` (its client certificate): Services,
 * Namespaces, Pods and EndpointSlices, to answer for `*.svc.cluster.local`.
 */
export function coreDnsRbac(): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'vmcp:coredns' },
      rules: [
        {
          apiGroups: [''],
          resources: ['services', 'namespaces', 'pods'],
          verbs: ['list', 'watch'],
        },
        {
          apiGroups: ['discovery.k8s.io'],
          resources: ['endpointslices'],
          verbs: ['list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'vmcp:coredns' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'vmcp:coredns',
      },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'vmcp:coredns' }],
    },
  ];
}
