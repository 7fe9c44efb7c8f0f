import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';

/** The kinds of child the operator applies and watches. */
export type ChildKind = 'ServiceAccount' | 'Role' | 'RoleBinding' | 'Service' | 'Deployment';

export const CHILD_KINDS: readonly ChildKind[] = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Service',
  'Deployment',
];

/** What the operator does with one kind: list and watch it (for its informer) and apply it. */
export interface ChildKindApi {
  readonly kind: ChildKind;
  /** The watch path, cluster-wide or in one namespace. */
  path(namespace?: string): string;
  list(
    namespace: string | undefined,
    labelSelector: string,
  ): Promise<KubernetesListObject<KubernetesObject>>;
  /** Server-side apply of `body` (a complete object of this kind), forcing ownership. */
  apply(body: KubernetesObject, fieldManager: string): Promise<KubernetesObject>;
}

/** Typed clients per kind: patch bodies pass through as plain JSON (client-node serializes them as `any`). */
export function childKindApis(kc: KubeConfig): ReadonlyMap<ChildKind, ChildKindApi> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const params = (body: KubernetesObject, fieldManager: string) => ({
    name: body.metadata?.name ?? '',
    namespace: body.metadata?.namespace ?? '',
    body,
    fieldManager,
    force: true,
    fieldValidation: 'Strict',
  });
  const path = (prefix: string, plural: string) => (namespace?: string) =>
    namespace === undefined ? `${prefix}/${plural}` : `${prefix}/namespaces/${namespace}/${plural}`;
  const entries: ChildKindApi[] = [
    {
      kind: 'ServiceAccount',
      path: path('/api/v1', 'serviceaccounts'),
      list: (namespace, labelSelector) =>
        namespace === undefined
          ? core.listServiceAccountForAllNamespaces({ labelSelector })
          : core.listNamespacedServiceAccount({ namespace, labelSelector }),
      apply: (body, fm) => core.patchNamespacedServiceAccount(params(body, fm), ssa),
    },
    {
      kind: 'Role',
      path: path('/apis/rbac.authorization.k8s.io/v1', 'roles'),
      list: (namespace, labelSelector) =>
        namespace === undefined
          ? rbac.listRoleForAllNamespaces({ labelSelector })
          : rbac.listNamespacedRole({ namespace, labelSelector }),
      apply: (body, fm) => rbac.patchNamespacedRole(params(body, fm), ssa),
    },
    {
      kind: 'RoleBinding',
      path: path('/apis/rbac.authorization.k8s.io/v1', 'rolebindings'),
      list: (namespace, labelSelector) =>
        namespace === undefined
          ? rbac.listRoleBindingForAllNamespaces({ labelSelector })
          : rbac.listNamespacedRoleBinding({ namespace, labelSelector }),
      apply: (body, fm) => rbac.patchNamespacedRoleBinding(params(body, fm), ssa),
    },
    {
      kind: 'Service',
      path: path('/api/v1', 'services'),
      list: (namespace, labelSelector) =>
        namespace === undefined
          ? core.listServiceForAllNamespaces({ labelSelector })
          : core.listNamespacedService({ namespace, labelSelector }),
      apply: (body, fm) => core.patchNamespacedService(params(body, fm), ssa),
    },
    {
      kind: 'Deployment',
      path: path('/apis/apps/v1', 'deployments'),
      list: (namespace, labelSelector) =>
        namespace === undefined
          ? apps.listDeploymentForAllNamespaces({ labelSelector })
          : apps.listNamespacedDeployment({ namespace, labelSelector }),
      apply: (body, fm) => apps.patchNamespacedDeployment(params(body, fm), ssa),
    },
  ];
  return new Map(entries.map((e) => [e.kind, e]));
}
