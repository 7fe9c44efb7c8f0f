import {
  managedStatusFields,
  statusFieldLabel,
  type ManagedFieldsEntry,
} from './managed-status-fields.js';
import { FIELD_MANAGERS, ownerOf, type StatusOwner } from './ownership.js';
import type { ResolvedStatusLayout } from './status-layout.js';

/** The field managers the ownership table's owners write as. */
export interface AuditManagers {
  /** Defaults to `vmcp-runtime`. */
  readonly runtime?: string;
  /**
   * The operator's manager. Defaults to `vmcp-operator` in the `top-level` layout; in
   * the `runtime` layout ToolHive's operator writes under a name of its own, so by
   * default any manager but the runtime's may hold the operator's fields.
   */
  readonly operator?: string;
}

/** One status field and one manager that owns it. */
export interface AuditedField {
  /** `phase`, `conditions[type=Ready]`, `runtime.discoveredBackends[name=alpha]`. */
  readonly field: string;
  readonly manager: string;
  /** `Apply` or `Update`. */
  readonly operation: string;
  /** When the manager last wrote (RFC 3339), if the entry says. */
  readonly time?: string;
  /** Who the ownership table says owns the field; absent when it names no one. */
  readonly owner?: StatusOwner;
  /** The manager that owner writes as; absent when any but the runtime's will do. */
  readonly expectedManager?: string;
  /** Owned by a manager other than the one the table names: a foreign writer. */
  readonly foreign: boolean;
}

/** What {@link auditOwnership} found. */
export interface OwnershipAudit {
  readonly layout: ResolvedStatusLayout;
  /** Sorted by field, then manager. */
  readonly fields: readonly AuditedField[];
  /** The managers that own a field the table gives to someone else, sorted. */
  readonly foreignWriters: readonly string[];
}

/**
 * Checks who owns each status field (from `managedFields`) against the ownership
 * table of `layout`. A field the table gives to the runtime must be the runtime
 * manager's alone, an operator field the operator's. A field the table does not name
 * (a condition type of someone else's, say) may be held by the managers the table
 * names, and by no one else: a third manager anywhere in status is a foreign writer.
 * In the `runtime` layout the top level is ToolHive's operator's, whatever its
 * manager's name (unless `managers.operator` names it), so only the runtime writing
 * there is foreign. Pure.
 */
export function auditOwnership(
  entries: readonly ManagedFieldsEntry[],
  layout: ResolvedStatusLayout,
  managers: AuditManagers = {},
): OwnershipAudit {
  const runtime = managers.runtime ?? FIELD_MANAGERS.runtime;
  const operator =
    managers.operator ?? (layout === 'top-level' ? FIELD_MANAGERS.operator : undefined);
  const fields: AuditedField[] = [];
  for (const entry of entries) {
    const manager = entry.manager ?? '(unnamed)';
    for (const field of managedStatusFields(entry.fieldsV1)) {
      const type = field.item?.type;
      const owner = ownerOf(field.path, typeof type === 'string' ? type : undefined, layout);
      const expectedManager =
        owner === 'runtime' ? runtime : owner === 'operator' ? operator : undefined;
      const foreign =
        owner !== undefined && expectedManager !== undefined
          ? manager !== expectedManager
          : owner === undefined && operator !== undefined
            ? manager !== runtime && manager !== operator
            : manager === runtime;
      const time = entry.time instanceof Date ? entry.time.toISOString() : entry.time;
      fields.push({
        field: statusFieldLabel(field),
        manager,
        operation: entry.operation ?? '',
        ...(time !== undefined ? { time: time.replace(/\.\d{3}Z$/, 'Z') } : {}),
        ...(owner !== undefined ? { owner } : {}),
        ...(expectedManager !== undefined ? { expectedManager } : {}),
        foreign,
      });
    }
  }
  fields.sort((a, b) => compare(a.field, b.field) || compare(a.manager, b.manager));
  const foreignWriters = [...new Set(fields.filter((f) => f.foreign).map((f) => f.manager))].sort(
    compare,
  );
  return { layout, fields, foreignWriters };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether every runtime-owned status field (of `layout`) that some manager owns is
 * owned by `fieldManager` through server-side apply: then the last change to them came
 * from this runtime or a replica of it, not from a foreign writer. Pure.
 */
export function ownedOnlyBy(
  entries: readonly ManagedFieldsEntry[] | undefined,
  fieldManager: string,
  layout: ResolvedStatusLayout,
): boolean {
  for (const entry of entries ?? []) {
    if (entry.subresource !== 'status') continue;
    if (entry.manager === fieldManager && entry.operation === 'Apply') continue;
    for (const field of managedStatusFields(entry.fieldsV1)) {
      const type = typeof field.item?.type === 'string' ? field.item.type : undefined;
      if (ownerOf(field.path, type, layout) === 'runtime') return false;
    }
  }
  return true;
}
