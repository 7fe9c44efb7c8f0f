import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { compareNames } from '../reactive/derive-runtime-status.js';

/** A resource or resource template the vMCP serves, and the backend that owns it. */
export interface Owned<T> {
  readonly backend: string;
  readonly item: T;
}

/**
 * Resources deduplicated by URI, ToolHive's way: never renamed; a URI several backends
 * offer goes to the first backend by name. Pure; sorted by URI.
 */
export function resolveResources(
  offered: ReadonlyMap<string, readonly Resource[]>,
): ReadonlyArray<Owned<Resource>> {
  return firstByKey(offered, (resource) => resource.uri);
}

/** Resource templates deduplicated by their `uriTemplate`, likewise. */
export function resolveResourceTemplates(
  offered: ReadonlyMap<string, readonly ResourceTemplate[]>,
): ReadonlyArray<Owned<ResourceTemplate>> {
  return firstByKey(offered, (template) => template.uriTemplate);
}

function firstByKey<T>(
  offered: ReadonlyMap<string, readonly T[]>,
  keyOf: (item: T) => string,
): ReadonlyArray<Owned<T>> {
  const kept = new Map<string, Owned<T>>();
  for (const backend of [...offered.keys()].sort(compareNames)) {
    for (const item of offered.get(backend) ?? []) {
      const key = keyOf(item);
      if (!kept.has(key)) kept.set(key, { backend, item });
    }
  }
  return [...kept.entries()].sort(([a], [b]) => compareNames(a, b)).map(([, owned]) => owned);
}
