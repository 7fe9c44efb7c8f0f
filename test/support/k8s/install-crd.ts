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

interface SchemaShape {
  properties?: Record<string, SchemaShape>;
  items?: SchemaShape;
}
interface CrdShape {
  metadata: { name: string };
  spec: {
    group: string;
    names: { shortNames?: string[]; categories?: string[] };
    versions: Array<{ schema: { openAPIV3Schema: SchemaShape } }>;
  };
}

/**
 * An older or foreign VirtualMCPServer CRD in its own `group`: the project's schema
 * without the given status fields (`totalToolCount`, `discoveredBackends[].toolCount`),
 * and without short names so kubectl's `vmcp` still means the project's CRD.
 */
export function legacyCrd(group: string, withoutStatusFields: readonly string[]): ManifestObject {
  const crd = structuredClone(readCrd()) as unknown as CrdShape;
  crd.metadata.name = `virtualmcpservers.${group}`;
  crd.spec.group = group;
  delete crd.spec.names.shortNames;
  delete crd.spec.names.categories;
  const status = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.status;
  for (const path of withoutStatusFields) {
    const [head = '', field] = path.split('[].');
    if (field === undefined) delete status?.properties?.[head];
    else delete status?.properties?.[head]?.items?.properties?.[field];
  }
  return crd as unknown as ManifestObject;
}
