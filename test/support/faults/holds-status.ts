import { isDeepStrictEqual } from 'node:util';
import { runtimeOwnedPart } from '../../../src/apply/runtime-status-fields.js';
import { statusApplyPatch } from '../../../src/apply/status-patch.js';
import type { RuntimeStatus } from '../../../src/types.js';

/**
 * The runtime's part of a status, condition transition times and observed generations
 * aside (the reporter adds the generation it saw; the derived status has none).
 */
function comparable(status: object | undefined): Record<string, unknown> {
  const part = runtimeOwnedPart(status);
  part.conditions = (part.conditions as Array<Record<string, unknown>>).map((c) => {
    const { lastTransitionTime: _carried, observedGeneration: _seen, ...rest } = c;
    return rest;
  });
  return part;
}

/**
 * Whether a VirtualMCPServer's `status` (as read from the server) holds exactly what
 * `derived` lays out to, `lastHealthCheck` included, so an earlier status that only
 * looks alike does not count. Condition transition times are left out: they carry
 * over from earlier writes by design; so are observed generations.
 */
export function holdsStatus(server: object | undefined, derived: RuntimeStatus): boolean {
  const expected = statusApplyPatch({ name: 'x', namespace: 'x' }, derived).status;
  return isDeepStrictEqual(comparable(server), comparable(expected));
}
