import { readCrd } from '../../../tools/cluster/install-crd.js';
import type { ManifestObject } from '../../../tools/cluster/manifests.js';

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
