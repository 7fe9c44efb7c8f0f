/**
 * CEL that tells which owned status fields an UPDATE of `virtualmcpservers/status`
 * changes, generated from the ownership table (src/apply/ownership.ts) so the policy
 * can never drift from what `statusApplyPatch` and the operator apply. Pure.
 */
import { ownershipTable, type StatusOwner } from '../apply/ownership.js';
import type { ResolvedStatusLayout } from '../apply/status-layout.js';

/** One owned thing the policy watches: a label for messages and a CEL "it changed" test. */
export interface OwnedFieldCheck {
  /** How a denial names it, e.g. `status.phase` or `status.conditions[type=Ready]`. */
  readonly label: string;
  /** CEL that is true when the request changes it (set, changed or removed). */
  readonly changed: string;
}

/** Variables the expressions below rely on; the policy declares them (in this order). */
export const CONDITION_VARIABLES = {
  newConditions: 'object.?status.?conditions.orValue([])',
  oldConditions: 'oldObject.?status.?conditions.orValue([])',
} as const;

/** A CEL string literal. */
export function celString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A CEL list of string literals. */
export function celStringList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function fieldChanged(field: string): string {
  // Field names come from our own table; anything else would need CEL escaping.
  if (!IDENTIFIER.test(field)) throw new Error(`status field ${field} is not a CEL identifier`);
  // Optional selection: absent on both sides is no change; set, changed or removed is.
  return `object.?status.?${field} != oldObject.?status.?${field}`;
}

function conditionChanged(type: string): string {
  const pick = `.filter(c, c.type == ${celString(type)})`;
  return `variables.newConditions${pick} != variables.oldConditions${pick}`;
}

/**
 * The fields and condition types `owner` owns in `layout`, each with its "changed"
 * test, in table order. A list-map (`discoveredBackends`) and a sub-object
 * (`runtime`) are compared whole: only their owner writes them.
 */
export function ownedFieldChecks(
  owner: StatusOwner,
  layout: ResolvedStatusLayout = 'top-level',
): OwnedFieldCheck[] {
  return ownershipTable(layout)
    .filter((row) => row.owner === owner)
    .flatMap((row) =>
      row.kind === 'conditions'
        ? row.types.map((type) => ({
            label: `status.conditions[type=${type}]`,
            changed: conditionChanged(type),
          }))
        : [{ label: `status.${row.field}`, changed: fieldChanged(row.field) }],
    );
}

/**
 * A CEL list of the labels of `checks` whose test is true, one term per line:
 * `(changed ? ['status.phase'] : []) + …`. Empty when the request changes none of them.
 */
export function changedLabelsExpression(checks: readonly OwnedFieldCheck[]): string {
  if (checks.length === 0) return '[]';
  return checks
    .map((check) => `(${check.changed} ? [${celString(check.label)}] : [])`)
    .join('\n+ ');
}
