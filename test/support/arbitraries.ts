import fc from 'fast-check';
import {
  BACKEND_HEALTH_STATUSES,
  ERROR_CATEGORIES,
  type BackendHealthEvent,
} from '../../src/types.js';

const names = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);

/** One health check of a backend with an arbitrary name from a small alphabet. */
export function checkArbitrary(
  name: fc.Arbitrary<string> = names,
): fc.Arbitrary<BackendHealthEvent> {
  return fc.record({
    name,
    url: fc.option(fc.webUrl(), { nil: undefined }),
    status: fc.constantFrom(...BACKEND_HEALTH_STATUSES),
    toolCount: fc.nat({ max: 500 }),
    consecutiveFailures: fc.nat({ max: 20 }),
    errorCategory: fc.option(fc.constantFrom(...ERROR_CATEGORIES), { nil: undefined }),
    latencyMs: fc.nat({ max: 20_000 }),
    checkedAt: fc.date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2030-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
  });
}

/** Checks of distinct backends, plus configured names: every checked one, and some unchecked. */
export const backendsArbitrary = fc
  .tuple(
    fc.uniqueArray(checkArbitrary(), { selector: (c) => c.name, maxLength: 12 }),
    fc.uniqueArray(names, { maxLength: 4 }),
  )
  .map(([checks, extra]) => ({
    checks,
    configured: [...new Set([...checks.map((c) => c.name), ...extra])],
  }));
