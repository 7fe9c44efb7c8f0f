import { writeFileSync } from 'node:fs';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ControlPlane } from '../../../tools/cluster/control-plane.js';
import { applyObjects, readKustomization } from '../../../tools/cluster/manifests.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';

export const OPERATOR_NAMESPACE = 'vmcp-system';
export const OPERATOR_SERVICE_ACCOUNT = 'vmcp-operator';

const { group, version, plural } = vmcpResource();

/**
 * Applies manifests/operator (Namespace, ServiceAccount, ClusterRole and binding; not
 * its Deployment: no kubelet would run it) and returns a KubeConfig acting as the
 * operator's ServiceAccount, so the tests prove its ClusterRole is enough.
 */
export async function operatorIdentity(plane: ControlPlane): Promise<KubeConfig> {
  const objects = readKustomization('operator').filter((o) => o.kind !== 'Deployment');
  await applyObjects(plane.adminKubeConfig(), objects);
  return plane.serviceAccountKubeConfig(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT);
}

/** A VirtualMCPServer as read back (plain JSON). */
export interface VmcpJson {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    managedFields?: Array<{
      manager: string;
      operation: string;
      subresource?: string;
      fieldsV1?: Record<string, unknown>;
    }>;
  };
  spec: Record<string, unknown>;
  status?: Record<string, unknown> & {
    url?: string;
    phase?: string;
    observedGeneration?: number;
    conditions?: Array<{
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime: string;
      observedGeneration?: number;
    }>;
  };
}

/** Admin access to VirtualMCPServers of one namespace. */
export function vmcpClient(admin: KubeConfig, namespace: string) {
  const api = admin.makeApiClient(CustomObjectsApi);
  const base = { group, version, namespace, plural };
  return {
    create: async (name: string, spec: Record<string, unknown> = {}): Promise<VmcpJson> =>
      (await api.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'VirtualMCPServer',
          metadata: { name },
          spec,
        },
      })) as VmcpJson,
    read: async (name: string): Promise<VmcpJson> =>
      (await api.getNamespacedCustomObject({ ...base, name })) as VmcpJson,
    /** Merge-patches the spec, as `kubectl patch --type merge` would. */
    patchSpec: async (name: string, spec: Record<string, unknown>): Promise<VmcpJson> =>
      (await api.patchNamespacedCustomObject(
        { ...base, name, body: { spec } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as VmcpJson,
    delete: async (name: string): Promise<void> => {
      await api.deleteNamespacedCustomObject({ ...base, name });
    },
  };
}

/** One condition of a VirtualMCPServer's status. */
export function conditionOf(vmcp: VmcpJson, type: string) {
  return vmcp.status?.conditions?.find((c) => c.type === type);
}

/** The children of `vmcpName` (named `<name>-vmcp`), read as admin; missing ones are absent. */
export async function readChildren(
  admin: KubeConfig,
  namespace: string,
  vmcpName: string,
): Promise<Map<string, KubernetesObject>> {
  const name = `${vmcpName}-vmcp`;
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const reads: Array<[string, () => Promise<KubernetesObject>]> = [
    ['ServiceAccount', () => core.readNamespacedServiceAccount({ name, namespace })],
    ['Role', () => rbac.readNamespacedRole({ name, namespace })],
    ['RoleBinding', () => rbac.readNamespacedRoleBinding({ name, namespace })],
    ['Service', () => core.readNamespacedService({ name, namespace })],
    ['Deployment', () => apps.readNamespacedDeployment({ name, namespace })],
  ];
  const found = new Map<string, KubernetesObject>();
  for (const [kind, read] of reads) {
    try {
      found.set(kind, await read());
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  return found;
}

/** `Kind → resourceVersion` of every child present. */
export async function childVersions(
  admin: KubeConfig,
  namespace: string,
  vmcpName: string,
): Promise<Record<string, string>> {
  const children = await readChildren(admin, namespace, vmcpName);
  return Object.fromEntries(
    [...children].map(([kind, o]) => [kind, o.metadata?.resourceVersion ?? '']),
  );
}

/**
 * Stands in for the kubelet, which this control plane does not run: sets the Ready
 * condition of every pod matching `labelSelector` (phase Running when ready). The
 * ReplicaSet and Deployment controllers then count the pods as available or not,
 * exactly as they would for a real kubelet's report. (Patching the Deployment's status
 * instead does not hold: the Deployment controller recomputes and overwrites it.)
 * Returns how many pods it set.
 */
export async function setPodsReady(
  admin: KubeConfig,
  namespace: string,
  labelSelector: string,
  ready: boolean,
): Promise<number> {
  const core = admin.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector });
  for (const pod of pods.items) {
    await core.patchNamespacedPodStatus(
      {
        name: pod.metadata?.name ?? '',
        namespace,
        body: {
          status: {
            phase: 'Running',
            conditions: [
              {
                type: 'Ready',
                status: ready ? 'True' : 'False',
                lastTransitionTime: new Date().toISOString(),
              },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
  return pods.items.length;
}

/**
 * Writes a kubeconfig file for a process under test: the control plane's server and CA,
 * and a token, or a token file re-read as a pod's projected token is (what the runtime
 * does with its in-pod service-account files).
 */
export function writeKubeconfig(
  path: string,
  plane: ControlPlane,
  credentials: { token: string } | { tokenFile: string; caFile?: string },
): string {
  const caFile =
    'caFile' in credentials && credentials.caFile ? credentials.caFile : plane.pki.caCert;
  const user =
    'token' in credentials
      ? { token: credentials.token }
      : { 'auth-provider': { name: 'tokenFile', config: { tokenFile: credentials.tokenFile } } };
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'test', cluster: { server: plane.server, 'certificate-authority': caFile } },
      ],
      users: [{ name: 'test', user }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );
  return path;
}
