/** One top-level status field a manager owns, or one condition (by type) it owns. */
export interface OwnedStatusKey {
  readonly field: string;
  readonly conditionType?: string;
}

/**
 * The top-level status fields and condition types one manager owns, read from the
 * `fieldsV1` of its managedFields entry (`f:status` → `f:phase`, `f:conditions` →
 * `k:{"type":"Ready"}`).
 */
export function ownedStatusKeys(fieldsV1: Record<string, unknown> | undefined): OwnedStatusKey[] {
  const status = (fieldsV1?.['f:status'] ?? {}) as Record<string, unknown>;
  const keys: OwnedStatusKey[] = [];
  for (const [key, value] of Object.entries(status)) {
    if (!key.startsWith('f:')) continue;
    const field = key.slice(2);
    if (field !== 'conditions') {
      keys.push({ field });
      continue;
    }
    for (const item of Object.keys(value as Record<string, unknown>)) {
      if (!item.startsWith('k:')) continue;
      keys.push({ field, conditionType: (JSON.parse(item.slice(2)) as { type: string }).type });
    }
  }
  return keys;
}
