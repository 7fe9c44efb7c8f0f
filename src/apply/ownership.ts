/**
 * Who owns which `VirtualMCPServer` status field: the contract between the runtime and
 * the operator (../shared/DESIGN.md, "Status field ownership"). One table, read by the
 * patch builders, the admission-policy generator and the tests.
 */

/** A status writer, and the SSA field manager it applies with by default. */
export type StatusOwner = 'runtime' | 'operator';

export const FIELD_MANAGERS: Readonly<Record<StatusOwner, string>> = {
  runtime: 'vmcp-runtime',
  operator: 'vmcp-operator',
};

/** One row: a top-level status field, or the conditions of some types. */
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
  | { readonly kind: 'conditions'; readonly types: readonly string[]; readonly owner: StatusOwner };

export const STATUS_OWNERSHIP: readonly OwnershipRow[] = [
  { kind: 'field', field: 'phase', owner: 'runtime' },
  { kind: 'field', field: 'message', owner: 'runtime' },
  { kind: 'field', field: 'backendCount', owner: 'runtime' },
  { kind: 'field', field: 'totalToolCount', owner: 'runtime' },
  { kind: 'field', field: 'healthyBackends', owner: 'runtime' },
  { kind: 'field', field: 'unhealthyBackends', owner: 'runtime' },
  { kind: 'field', field: 'lastDiscoveryTime', owner: 'runtime' },
  { kind: 'list', field: 'discoveredBackends', key: 'name', owner: 'runtime' },
  { kind: 'conditions', types: ['Ready', 'Degraded', 'BackendsDiscovered'], owner: 'runtime' },
  { kind: 'field', field: 'url', owner: 'operator' },
  { kind: 'field', field: 'observedGeneration', owner: 'operator' },
  { kind: 'conditions', types: ['Valid', 'Reconciled', 'Available'], owner: 'operator' },
];

/** Top-level status fields (other than `conditions`) that `owner` owns. */
export function ownedFields(owner: StatusOwner): string[] {
  return STATUS_OWNERSHIP.filter((r) => r.owner === owner && r.kind !== 'conditions').map((r) =>
    r.kind === 'conditions' ? '' : r.field,
  );
}

/** Condition types that `owner` owns. */
export function ownedConditionTypes(owner: StatusOwner): string[] {
  return STATUS_OWNERSHIP.flatMap((r) =>
    r.owner === owner && r.kind === 'conditions' ? [...r.types] : [],
  );
}

/** Who owns a top-level status field or a condition type; `undefined` for neither. */
export function ownerOf(field: string, conditionType?: string): StatusOwner | undefined {
  for (const row of STATUS_OWNERSHIP) {
    if (row.kind === 'conditions') {
      if (
        field === 'conditions' &&
        conditionType !== undefined &&
        row.types.includes(conditionType)
      )
        return row.owner;
    } else if (row.field === field) {
      return row.owner;
    }
  }
  return undefined;
}
