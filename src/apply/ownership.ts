/**
 * Who owns which `VirtualMCPServer` status field: the contract between the runtime and
 * the operator (../shared/DESIGN.md, "Status field ownership"). One table per status
 * layout, read by the patch builders, the drift watch, the admission-policy generator,
 * `vmcp-status inspect` and the tests.
 */
import type { ResolvedStatusLayout } from './status-layout.js';

/** A status writer, and the SSA field manager it applies with by default. */
export type StatusOwner = 'runtime' | 'operator';

export const FIELD_MANAGERS: Readonly<Record<StatusOwner, string>> = {
  runtime: 'vmcp-runtime',
  operator: 'vmcp-operator',
};

/** One row: a status field, a list-map, the conditions of some types, or a sub-object. */
export type OwnershipRow =
  | { readonly kind: 'field'; readonly field: string; readonly owner: StatusOwner }
  /** A list-map owned per item, keyed by `key` (`discoveredBackends` by `name`). */
  | {
      readonly kind: 'list';
      readonly field: string;
      readonly key: string;
      readonly owner: StatusOwner;
    }
  /** `conditions[]` entries of these `type`s. */
  | { readonly kind: 'conditions'; readonly types: readonly string[]; readonly owner: StatusOwner }
  /** A sub-object owned whole by `owner`, laid out as `rows` (ToolHive's `status.runtime`). */
  | {
      readonly kind: 'object';
      readonly field: string;
      readonly rows: readonly OwnershipRow[];
      readonly owner: StatusOwner;
    };

/** What the runtime reports, wherever the layout puts it: always this complete set. */
export const RUNTIME_STATUS_ROWS: readonly OwnershipRow[] = [
  { kind: 'field', field: 'phase', owner: 'runtime' },
  { kind: 'field', field: 'message', owner: 'runtime' },
  { kind: 'field', field: 'backendCount', owner: 'runtime' },
  { kind: 'field', field: 'totalToolCount', owner: 'runtime' },
  { kind: 'field', field: 'healthyBackends', owner: 'runtime' },
  { kind: 'field', field: 'unhealthyBackends', owner: 'runtime' },
  { kind: 'field', field: 'lastDiscoveryTime', owner: 'runtime' },
  { kind: 'list', field: 'discoveredBackends', key: 'name', owner: 'runtime' },
  { kind: 'conditions', types: ['Ready', 'Degraded', 'BackendsDiscovered'], owner: 'runtime' },
];

/** The `top-level` layout (this project's CRD): runtime and operator side by side. */
export const STATUS_OWNERSHIP: readonly OwnershipRow[] = [
  ...RUNTIME_STATUS_ROWS,
  { kind: 'field', field: 'url', owner: 'operator' },
  { kind: 'field', field: 'observedGeneration', owner: 'operator' },
  { kind: 'conditions', types: ['Valid', 'Reconciled', 'Available'], owner: 'operator' },
];

/**
 * The `runtime` layout (ToolHive's CRD, v0.63.0): the runtime owns `status.runtime`
 * and nothing else; ToolHive's operator projects it to the top level, where it owns
 * every field, the whole `conditions` list included.
 */
export const RUNTIME_LAYOUT_OWNERSHIP: readonly OwnershipRow[] = [
  { kind: 'object', field: 'runtime', rows: RUNTIME_STATUS_ROWS, owner: 'runtime' },
  { kind: 'field', field: 'phase', owner: 'operator' },
  { kind: 'field', field: 'message', owner: 'operator' },
  { kind: 'field', field: 'url', owner: 'operator' },
  { kind: 'field', field: 'observedGeneration', owner: 'operator' },
  { kind: 'field', field: 'backendCount', owner: 'operator' },
  { kind: 'list', field: 'discoveredBackends', key: 'name', owner: 'operator' },
  { kind: 'list', field: 'conditions', key: 'type', owner: 'operator' },
  { kind: 'field', field: 'authzConfigHash', owner: 'operator' },
  { kind: 'field', field: 'oidcConfigHash', owner: 'operator' },
  { kind: 'field', field: 'telemetryConfigHash', owner: 'operator' },
];

/** The ownership table of a layout. */
export function ownershipTable(
  layout: ResolvedStatusLayout = 'top-level',
): readonly OwnershipRow[] {
  return layout === 'runtime' ? RUNTIME_LAYOUT_OWNERSHIP : STATUS_OWNERSHIP;
}

/**
 * Where the runtime's status sits in `status`: at the top (`[]`) or under
 * `status.runtime` (`['runtime']`).
 */
export function runtimeStatusPath(layout: ResolvedStatusLayout): readonly string[] {
  return layout === 'runtime' ? ['runtime'] : [];
}

/** Top-level status fields (other than `conditions` entries) that `owner` owns. */
export function ownedFields(
  owner: StatusOwner,
  layout: ResolvedStatusLayout = 'top-level',
): string[] {
  return ownershipTable(layout).flatMap((r) =>
    r.owner === owner && r.kind !== 'conditions' ? [r.field] : [],
  );
}

/** Top-level condition types that `owner` owns by type (`runtime` layout: none). */
export function ownedConditionTypes(
  owner: StatusOwner,
  layout: ResolvedStatusLayout = 'top-level',
): string[] {
  return ownershipTable(layout).flatMap((r) =>
    r.owner === owner && r.kind === 'conditions' ? [...r.types] : [],
  );
}

/** The condition types the runtime reports (wherever the layout puts them). */
export function runtimeConditionTypes(): string[] {
  return RUNTIME_STATUS_ROWS.flatMap((r) => (r.kind === 'conditions' ? [...r.types] : []));
}

/** The fields of the runtime's status other than its conditions. */
export function runtimeStatusFields(): string[] {
  return RUNTIME_STATUS_ROWS.flatMap((r) => (r.kind === 'conditions' ? [] : [r.field]));
}

/**
 * Who owns a status field or a condition type, given as a path from `status`
 * (`['phase']`, `['runtime', 'conditions']`) and, for conditions, the type;
 * `undefined` when the table names no owner. Everything under a sub-object row
 * (`status.runtime`) is that row's owner's.
 */
export function ownerOf(
  field: string | readonly string[],
  conditionType?: string,
  layout: ResolvedStatusLayout = 'top-level',
): StatusOwner | undefined {
  const path = typeof field === 'string' ? [field] : field;
  return ownerIn(ownershipTable(layout), path, conditionType);
}

function ownerIn(
  rows: readonly OwnershipRow[],
  path: readonly string[],
  conditionType: string | undefined,
): StatusOwner | undefined {
  const [head, ...rest] = path;
  for (const row of rows) {
    if (row.kind === 'conditions') {
      if (
        head === 'conditions' &&
        rest.length === 0 &&
        conditionType !== undefined &&
        row.types.includes(conditionType)
      )
        return row.owner;
    } else if (row.field === head) {
      // A sub-object is its owner's whole, whatever is inside (the rows only say
      // what the owner puts there).
      return row.owner;
    }
  }
  return undefined;
}
