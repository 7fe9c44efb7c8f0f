import { isDeepStrictEqual } from 'node:util';
import { ownedConditionTypes, ownedFields } from './ownership.js';
import type { RuntimeStatusJson } from './status-patch.js';

/**
 * Removes status fields the installed CRD does not know: `totalToolCount` drops a
 * top-level field, `discoveredBackends[].toolCount` one inside every list entry. Pure.
 */
export function withoutStatusFields(
  status: RuntimeStatusJson,
  dropped: ReadonlySet<string>,
): RuntimeStatusJson {
  if (dropped.size === 0) return status;
  const copy = structuredClone(status) as unknown as Record<string, unknown>;
  for (const path of dropped) {
    const [head, ...rest] = path.split('.');
    if (head === undefined) continue;
    if (head.endsWith('[]')) {
      const list = copy[head.slice(0, -2)];
      if (Array.isArray(list) && rest.length > 0) {
        for (const item of list as Array<Record<string, unknown>>)
          Reflect.deleteProperty(item, rest.join('.'));
      }
    } else if (rest.length === 0) {
      Reflect.deleteProperty(copy, head);
    }
  }
  return copy as unknown as RuntimeStatusJson;
}

/**
 * The runtime-owned part of a status as found on the server (any writer's), in a form
 * that compares equal to what the runtime applied: list entries sorted by key, other
 * managers' conditions left out.
 */
export function runtimeOwnedPart(
  status: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const part: Record<string, unknown> = {};
  if (status === undefined) return part;
  for (const field of ownedFields('runtime')) {
    if (status[field] !== undefined) part[field] = status[field];
  }
  const types = new Set(ownedConditionTypes('runtime'));
  const conditions = Array.isArray(status.conditions)
    ? (status.conditions as Array<{ type?: string }>)
    : [];
  part.conditions = conditions.filter((c) => c.type !== undefined && types.has(c.type));
  const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a[key]).localeCompare(String(b[key]));
  if (Array.isArray(part.discoveredBackends)) {
    part.discoveredBackends = [...(part.discoveredBackends as Array<Record<string, unknown>>)].sort(
      byKey('name'),
    );
  } else {
    part.discoveredBackends = [];
  }
  part.conditions = [...(part.conditions as Array<Record<string, unknown>>)].sort(byKey('type'));
  return part;
}

/** Whether two runtime statuses say the same, `lastHealthCheck` aside (it is volatile). */
export function sameRuntimeStatus(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): boolean {
  return isDeepStrictEqual(
    withoutVolatile(runtimeOwnedPart(a)),
    withoutVolatile(runtimeOwnedPart(b)),
  );
}

/** Whether the server holds exactly what was applied (`lastHealthCheck` included). */
export function serverHoldsApplied(
  server: Record<string, unknown> | undefined,
  applied: RuntimeStatusJson,
): boolean {
  return isDeepStrictEqual(
    runtimeOwnedPart(server),
    runtimeOwnedPart(applied as unknown as Record<string, unknown>),
  );
}

function withoutVolatile(part: Record<string, unknown>): Record<string, unknown> {
  const backends = (part.discoveredBackends as Array<Record<string, unknown>>).map((b) => {
    const { lastHealthCheck: _volatile, ...rest } = b;
    return rest;
  });
  return { ...part, discoveredBackends: backends };
}
