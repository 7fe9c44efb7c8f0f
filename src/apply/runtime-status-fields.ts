import { isDeepStrictEqual } from 'node:util';
import { runtimeConditionTypes, runtimeStatusFields } from './ownership.js';
import { runtimePartOf, type ResolvedStatusLayout } from './status-layout.js';
import { CRD_BACKEND_STATUS } from './status-patch.js';

/**
 * Removes status fields the installed CRD does not know, given as paths from `status`:
 * `totalToolCount` drops a field, `discoveredBackends[].toolCount` one inside every
 * list entry, `runtime.discoveredBackends[].toolCount` the same under `status.runtime`.
 * Returns a copy when something is dropped. Pure.
 */
export function withoutStatusFields<T extends object>(status: T, dropped: ReadonlySet<string>): T {
  if (dropped.size === 0) return status;
  const copy = structuredClone(status) as Record<string, unknown>;
  for (const path of dropped) drop(copy, path.split('.'));
  return copy as T;
}

function drop(value: unknown, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  if (head.endsWith('[]')) {
    const list = object[head.slice(0, -2)];
    if (Array.isArray(list) && rest.length > 0) for (const item of list) drop(item, rest);
  } else if (rest.length === 0) {
    Reflect.deleteProperty(object, head);
  } else {
    drop(object[head], rest);
  }
}

/**
 * The runtime-owned part of a status as found on the server (any writer's), or of a
 * status body the runtime applied, in a form that compares equal to what the runtime
 * applied: its fields only (under `status.runtime` in the `runtime` layout), list
 * entries sorted by key, other managers' conditions left out. In the `runtime` layout
 * empty values count as absent, as they do for ToolHive's Go types.
 */
export function runtimeOwnedPart(
  status: object | undefined,
  layout: ResolvedStatusLayout = 'top-level',
): Record<string, unknown> {
  const part: Record<string, unknown> = {};
  const source = runtimePartOf(layout, status as Readonly<Record<string, unknown>> | undefined);
  if (source === undefined) return { discoveredBackends: [], conditions: [] };
  for (const field of runtimeStatusFields()) {
    if (source[field] !== undefined) part[field] = source[field];
  }
  const types = new Set(runtimeConditionTypes());
  const conditions = Array.isArray(source.conditions)
    ? (source.conditions as Array<{ type?: string }>)
    : [];
  const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a[key]).localeCompare(String(b[key]));
  part.discoveredBackends = Array.isArray(part.discoveredBackends)
    ? [...(part.discoveredBackends as Array<Record<string, unknown>>)].sort(byKey('name'))
    : [];
  part.conditions = (
    conditions.filter((c) => c.type !== undefined && types.has(c.type)) as Array<
      Record<string, unknown>
    >
  ).sort(byKey('type'));
  return layout === 'runtime' ? withoutEmptyDeep(part) : part;
}

/** Whether two runtime statuses say the same, `lastHealthCheck` aside (it is volatile). */
export function sameRuntimeStatus(
  a: object | undefined,
  b: object | undefined,
  layout: ResolvedStatusLayout = 'top-level',
): boolean {
  return isDeepStrictEqual(
    withoutVolatile(runtimeOwnedPart(a, layout)),
    withoutVolatile(runtimeOwnedPart(b, layout)),
  );
}

/** Whether the server holds exactly what was applied (`lastHealthCheck` included). */
export function serverHoldsApplied(
  server: object | undefined,
  applied: object,
  layout: ResolvedStatusLayout = 'top-level',
): boolean {
  return isDeepStrictEqual(runtimeOwnedPart(server, layout), runtimeOwnedPart(applied, layout));
}

/** A few fields of the runtime's part of a status, for log lines. */
export function runtimeSummary(
  status: object | undefined,
  layout: ResolvedStatusLayout = 'top-level',
): Record<string, unknown> {
  const part = runtimeOwnedPart(status, layout);
  return { phase: part.phase, backendCount: part.backendCount };
}

/**
 * What a write is not worth: check times, and the failure count of a backend that is
 * already down (it grows on every failed probe; `stableHealthChanged` says the same).
 * A write for another reason still carries both.
 */
function withoutVolatile(part: Record<string, unknown>): Record<string, unknown> {
  const backends = ((part.discoveredBackends ?? []) as Array<Record<string, unknown>>).map((b) => {
    const { lastHealthCheck: _volatile, ...rest } = b;
    if (rest.status === CRD_BACKEND_STATUS.unhealthy) delete rest.consecutiveFailures;
    return rest;
  });
  return { ...part, discoveredBackends: backends };
}

/** `value` without `''`, `0` and `[]` at any depth below its top: Go's `omitempty` view. */
function withoutEmptyDeep(part: Record<string, unknown>): Record<string, unknown> {
  const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(clean);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => [k, clean(v)]),
    );
  };
  const cleaned = clean(part) as Record<string, unknown>;
  cleaned.discoveredBackends ??= [];
  cleaned.conditions ??= [];
  return cleaned;
}
