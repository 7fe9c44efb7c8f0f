import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ClusterNode } from '../../../tools/cluster/node.js';
import { applyObjects } from '../../../tools/cluster/manifests.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';

/** The port the example's backend Services listen on (`http://github-mcp.default.svc:8080/mcp`). */
export const BACKEND_SERVICE_PORT = 8080;

/**
 * A ClusterIP Service `name` whose one endpoint is an MCP server on this machine
 * (listening on the host's bridge address): pods reach it by its DNS name through
 * kube-proxy, as they would reach a backend pod. No selector: the EndpointSlice is
 * written here, pointing at `serverUrl`'s port.
 */
export async function hostBackendService(
  admin: KubeConfig,
  namespace: string,
  name: string,
  serverUrl: string,
): Promise<string> {
  const { hostname, port } = new URL(serverUrl);
  await applyObjects(admin, [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { ports: [{ name: 'mcp', port: BACKEND_SERVICE_PORT, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [hostname], conditions: { ready: true } }],
      ports: [{ name: 'mcp', port: Number(port), protocol: 'TCP' }],
    },
  ]);
  return `http://${name}.${namespace}.svc:${String(BACKEND_SERVICE_PORT)}/mcp`;
}

/** The pods matching `labelSelector`, oldest first. */
export async function podsOf(
  admin: KubeConfig,
  namespace: string,
  labelSelector: string,
): Promise<V1Pod[]> {
  const pods = await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector });
  return pods.items.sort(
    (a, b) =>
      (a.metadata?.creationTimestamp?.getTime() ?? 0) -
      (b.metadata?.creationTimestamp?.getTime() ?? 0),
  );
}

/** Whether the kubelet reports the pod Ready. */
export function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Waits until exactly `count` pods match and all are Ready (and not being deleted); returns them. */
export async function waitForReadyPods(
  admin: KubeConfig,
  namespace: string,
  labelSelector: string,
  count: number,
  timeoutMs = 120_000,
): Promise<V1Pod[]> {
  return waitFor(
    `${String(count)} Ready pod(s) ${labelSelector} in ${namespace}`,
    async () => {
      const pods = (await podsOf(admin, namespace, labelSelector)).filter(
        (p) => p.metadata?.deletionTimestamp == null,
      );
      return pods.length === count && pods.every(podReady) ? pods : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The container's task in the node's containerd: its id and the pid of its main process. */
export function containerTask(node: ClusterNode, pod: V1Pod): { id: string; pid: number } {
  const id = pod.status?.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, '');
  if (id === undefined) throw new Error(`pod ${pod.metadata?.name ?? ''} has no container yet`);
  const line = node
    .ctr(['tasks', 'ls'])
    .stdout.split('\n')
    .find((l) => l.startsWith(id));
  const pid = Number(line?.split(/\s+/)[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no running task for container ${id}`);
  return { id, pid };
}
