import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { VMCP_KIND, VMCP_PLURAL } from '../src/apply/vmcp-resource.js';
import type { WatchedResource } from './status-watch.js';

/**
 * Creates `namespace` and in it one VirtualMCPServer (empty spec, no status) per name,
 * of `apiVersion`; returns the resource a {@link StatusWatch} of them takes.
 */
export async function createVmcps(
  kc: KubeConfig,
  apiVersion: string,
  namespace: string,
  names: readonly string[],
): Promise<WatchedResource> {
  const [group = '', version = ''] = apiVersion.split('/');
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const objects = kc.makeApiClient(CustomObjectsApi);
  for (const name of names) {
    await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: VMCP_PLURAL,
      body: { apiVersion, kind: VMCP_KIND, metadata: { name, namespace }, spec: {} },
    });
  }
  return { group, version, plural: VMCP_PLURAL, namespace };
}
