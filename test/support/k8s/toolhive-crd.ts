import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { SchemaNode } from '../../../src/apply/status-schema.js';
import type { ManifestObject } from '../../../tools/cluster/manifests.js';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/toolhive/virtualmcpservers.yaml', import.meta.url),
);

interface CrdShape {
  metadata: { name: string };
  spec: {
    group: string;
    names: { shortNames?: string[]; categories?: string[] };
    versions: Array<{
      name: string;
      deprecationWarning?: string;
      schema: { openAPIV3Schema: SchemaNode };
    }>;
  };
}

/**
 * ToolHive's VirtualMCPServer CRD (v0.63.0's status schema, test/fixtures/toolhive),
 * in `group` when given: then without short names and categories, so that on an
 * apiserver that also serves this project's CRD, `vmcp` keeps meaning that one.
 */
export function toolhiveCrd(group?: string): ManifestObject {
  const crd = parse(readFileSync(FIXTURE, 'utf8')) as CrdShape;
  if (group !== undefined && group !== crd.spec.group) {
    crd.metadata.name = `virtualmcpservers.${group}`;
    crd.spec.group = group;
    delete crd.spec.names.shortNames;
    delete crd.spec.names.categories;
    for (const version of crd.spec.versions)
      version.deprecationWarning = version.deprecationWarning?.replace(
        'toolhive.stacklok.dev',
        group,
      );
  }
  return crd as unknown as ManifestObject;
}

/** The fixture's status schema (the same in both versions), as the apiserver publishes it. */
export function toolhiveStatusSchema(): SchemaNode {
  const crd = toolhiveCrd() as unknown as CrdShape;
  const status = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.status;
  if (status === undefined) throw new Error('the ToolHive CRD fixture has no status schema');
  return status;
}
