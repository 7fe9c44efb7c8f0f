/**
 * What a replica with a status write to make does about the write Lease, decided from
 * the Lease as read and the local clock. Pure (src/apply/status-write-lease.ts does
 * the reads and writes).
 */

/** The parts of a `coordination.k8s.io/v1` Lease the decision reads. */
export interface LeaseRecord {
  readonly holderIdentity?: string | undefined;
  /** `spec.renewTime` (or `acquireTime`) in ms since the epoch, by the holder's clock. */
  readonly renewedAtMs?: number | undefined;
  readonly leaseDurationSeconds?: number | undefined;
}

/** What to do before writing. */
export type LeaseDecision =
  /** No Lease yet: create it, holding it. */
  | { readonly action: 'create' }
  /** Ours: renew it (a new term starts). */
  | { readonly action: 'renew' }
  /** Released, or its holder's term is over: take it. */
  | { readonly action: 'take' }
  /** Another replica holds an unexpired term: wait, then look again. */
  | { readonly action: 'wait'; readonly holder: string; readonly waitMs: number };

/**
 * - no Lease: create; ours: renew; no holder (a graceful release): take at once;
 * - another holder: its term ends `leaseDurationSeconds` after its `renewTime`, so a
 *   killed holder is replaced within one Lease duration of its last write; a
 *   `renewTime` in this replica's future (clock skew) counts from the moment this
 *   replica first saw it (`observedAtMs`), so a clock running ahead cannot keep the
 *   Lease forever. After the term, take it.
 *
 * @param observedAtMs when this replica first saw this holder with this renewTime.
 */
export function leaseDecision(
  lease: LeaseRecord | undefined,
  identity: string,
  nowMs: number,
  observedAtMs: number,
  defaultDurationMs: number,
): LeaseDecision {
  if (lease === undefined) return { action: 'create' };
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) return { action: 'renew' };
  if (holder === '') return { action: 'take' };
  const durationMs =
    lease.leaseDurationSeconds !== undefined && lease.leaseDurationSeconds > 0
      ? lease.leaseDurationSeconds * 1000
      : defaultDurationMs;
  const renewedAt = lease.renewedAtMs ?? observedAtMs;
  const termStart = renewedAt > nowMs ? observedAtMs : renewedAt;
  const endsAt = termStart + durationMs;
  if (nowMs >= endsAt) return { action: 'take' };
  return { action: 'wait', holder, waitMs: endsAt - nowMs };
}
