/**
 * The status fields a field manager owns, read from its `managedFields` entry's
 * `fieldsV1` (the apiserver's field set: `f:status` → `f:phase`, list-map items as
 * `k:{"type":"Ready"}`), at the grain the ownership table speaks of. Pure.
 */

/** One status field a manager owns. */
export interface ManagedStatusField {
  /** Field names from `status` down: `['phase']`, `['runtime', 'conditions']`. */
  readonly path: readonly string[];
  /** For an item of a list-map: its key, e.g. `{ type: 'Ready' }` or `{ name: 'alpha' }`. */
  readonly item?: Readonly<Record<string, unknown>>;
}

/** One `metadata.managedFields[]` entry, as the apiserver returns it. */
export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly time?: string | Date;
  readonly fieldsType?: string;
  readonly fieldsV1?: Readonly<Record<string, unknown>>;
}

type FieldSet = Readonly<Record<string, unknown>>;

/**
 * The status fields in one entry's `fieldsV1`: a leaf field, each item of a list-map
 * (by its key; what is inside an item is the item's), and the fields of a nested
 * object such as `status.runtime`, one level at a time down to those. Sorted by
 * {@link statusFieldLabel}.
 */
export function managedStatusFields(fieldsV1: FieldSet | undefined): ManagedStatusField[] {
  const status = fieldsV1?.['f:status'];
  const fields: ManagedStatusField[] = [];
  if (isFieldSet(status)) walk(status, [], fields);
  return fields.sort((a, b) => compare(statusFieldLabel(a), statusFieldLabel(b)));
}

function walk(set: FieldSet, path: readonly string[], out: ManagedStatusField[]): void {
  for (const [key, child] of Object.entries(set)) {
    if (!key.startsWith('f:')) continue;
    const here = [...path, key.slice(2)];
    const children = isFieldSet(child) ? Object.keys(child) : [];
    const items = children.filter((k) => k.startsWith('k:'));
    if (items.length > 0) {
      for (const item of items) out.push({ path: here, item: parseKey(item) });
    } else if (children.some((k) => k.startsWith('f:'))) {
      walk(child as FieldSet, here, out);
    } else {
      out.push({ path: here });
    }
  }
}

/** `k:{"type":"Ready"}` → `{ type: 'Ready' }`; a key that is not JSON is kept as text. */
function parseKey(key: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(key.slice(2)) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { key: key.slice(2) };
}

function isFieldSet(value: unknown): value is FieldSet {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `phase`, `conditions[type=Ready]`, `runtime.discoveredBackends[name=alpha]`. */
export function statusFieldLabel(field: ManagedStatusField): string {
  const item =
    field.item === undefined
      ? ''
      : `[${Object.entries(field.item)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(',')}]`;
  return `${field.path.join('.')}${item}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
