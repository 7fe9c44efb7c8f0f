import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';

export const MANIFESTS_DIR = fileURLToPath(new URL('../../manifests/', import.meta.url));

const clusterScoped = new Set([
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'Namespace',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

/** A manifest object: any Kubernetes object as parsed YAML. */
export type ManifestObject = KubernetesObject & Record<string, unknown>;

/** Every object of a YAML file (relative to `manifests/`), in file order. */
export function readManifest(file: string): ManifestObject[] {
  const text = readFileSync(join(MANIFESTS_DIR, file), 'utf8');
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null);
}

/**
 * The objects a kustomization lists (plain `resources` files and folders with their own
 * kustomization), placed in namespaces as kustomize would: a `namespace:` field (or
 * the `namespace` argument, which stands for one) moves every object, nested folders'
 * too; a `NamespaceTransformer` with `unsetOnly: true` among the `transformers` only
 * fills in objects (and ServiceAccount subjects) that have none yet, so a folder such
 * as `operator/` keeps its own.
 */
export function readKustomization(dir = '.', namespace?: string): ManifestObject[] {
  const kustomization = parse(
    readFileSync(join(MANIFESTS_DIR, dir, 'kustomization.yaml'), 'utf8'),
  ) as {
    resources?: string[];
    namespace?: string;
    transformers?: unknown[];
  };
  const target = namespace ?? kustomization.namespace;
  const objects: ManifestObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (!path.endsWith('.yaml')) {
      objects.push(...readKustomization(path, target));
      continue;
    }
    objects.push(...readManifest(path));
  }
  if (target !== undefined) return objects.map((o) => inNamespace(o, target));
  const fallback = unsetOnlyNamespace(kustomization.transformers);
  if (fallback === undefined) return objects;
  return objects.map((o) => inNamespace(o, fallback, true));
}

/** The namespace of an inline `NamespaceTransformer` with `unsetOnly: true`, if there is one. */
function unsetOnlyNamespace(transformers: unknown[] | undefined): string | undefined {
  for (const entry of transformers ?? []) {
    const config = (typeof entry === 'string' ? parse(entry) : entry) as {
      kind?: string;
      unsetOnly?: boolean;
      metadata?: { namespace?: string };
    } | null;
    if (config?.kind === 'NamespaceTransformer' && config.unsetOnly === true) {
      return config.metadata?.namespace;
    }
  }
  return undefined;
}

function inNamespace(object: ManifestObject, namespace: string, unsetOnly = false): ManifestObject {
  // As kustomize: a ClusterRoleBinding's subjects keep their namespaces.
  if (object.kind !== undefined && clusterScoped.has(object.kind)) return object;
  if (unsetOnly && object.metadata?.namespace !== undefined) return object;
  const moved: ManifestObject = { ...object, metadata: { ...object.metadata, namespace } };
  if (object.kind === 'RoleBinding') {
    const subjects = (object.subjects as Array<Record<string, unknown>> | undefined) ?? [];
    moved.subjects = subjects.map((s) =>
      s.kind === 'ServiceAccount' && !(unsetOnly && s.namespace !== undefined)
        ? { ...s, namespace }
        : s,
    );
  }
  return moved;
}

/** Server-side applies the objects in order with `fieldManager`, as `kubectl apply --server-side` would. */
export async function applyObjects(
  kc: KubeConfig,
  objects: readonly ManifestObject[],
  fieldManager = 'vmcp-tests',
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    // KubernetesObjectApi serializes through client-node's typed models, which drop
    // wire names they don't find on the model (`x-kubernetes-list-type`, `default`):
    // convert the plain manifest into the model first (JSON is YAML).
    const typed = loadYaml<KubernetesObject>(JSON.stringify(object));
    await api.patch(typed, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  }
}
