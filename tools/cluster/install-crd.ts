import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyObjects, readManifest, type ManifestObject } from './manifests.js';

/** Applies a CRD (the project's by default) and waits until it is Established and served. */
export async function installCrd(kc: KubeConfig, crd: ManifestObject = readCrd()): Promise<void> {
  await applyObjects(kc, [crd]);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const name = crd.metadata?.name ?? '';
  for (let i = 0; i < 300; i++) {
    const current = await api.readCustomResourceDefinition({ name });
    const established = current.status?.conditions?.some(
      (c) => c.type === 'Established' && c.status === 'True',
    );
    if (established === true) {
      // Established means served; give discovery a moment to catch up for kubectl.
      await sleep(200);
      return;
    }
    await sleep(100);
  }
  throw new Error(`CRD ${name} not Established after 30 s`);
}

/** The project's VirtualMCPServer CRD as parsed YAML. */
export function readCrd(): ManifestObject {
  const [crd] = readManifest('crd/virtualmcpservers.yaml');
  if (crd === undefined) throw new Error('manifests/crd/virtualmcpservers.yaml holds no object');
  return crd;
}
