import { expect } from 'chai';
import { carryTransitionTimes } from '../../../src/reactive/set-status-condition.js';
import type { Condition } from '../../../src/types.js';

const t0 = new Date('2025-01-01T00:00:00Z');
const t1 = new Date('2025-01-01T00:05:00Z');

function condition(
  type: string,
  status: Condition['status'],
  lastTransitionTime: Date,
  overrides: Partial<Condition> = {},
): Condition {
  return {
    type,
    status,
    reason: `${type}Reason`,
    message: `${type} message`,
    lastTransitionTime,
    ...overrides,
  };
}

describe('carryTransitionTimes', () => {
  it('keeps the previous lastTransitionTime while status stays the same', () => {
    const [ready] = carryTransitionTimes(
      [condition('Ready', 'True', t0)],
      [condition('Ready', 'True', t1)],
    );
    expect(ready!.lastTransitionTime).to.equal(t0);
  });

  it('updates reason, message and observedGeneration in place without moving the time', () => {
    const [ready] = carryTransitionTimes(
      [condition('Ready', 'False', t0, { reason: 'BackendsPending', message: 'waiting' })],
      [
        condition('Ready', 'False', t1, {
          reason: 'SomeBackendsUnhealthy',
          message: '1/2 backends routable',
          observedGeneration: 4,
        }),
      ],
    );
    expect(ready).to.deep.equal({
      type: 'Ready',
      status: 'False',
      reason: 'SomeBackendsUnhealthy',
      message: '1/2 backends routable',
      observedGeneration: 4,
      lastTransitionTime: t0,
    });
  });

  it('takes the new time when status flips', () => {
    for (const [from, to] of [
      ['True', 'False'],
      ['False', 'True'],
      ['Unknown', 'True'],
    ] as const) {
      const [ready] = carryTransitionTimes(
        [condition('Ready', from, t0)],
        [condition('Ready', to, t1)],
      );
      expect(ready, `${from} → ${to}`).to.include({ status: to, lastTransitionTime: t1 });
    }
  });

  it('matches conditions by type, whatever their order', () => {
    const result = carryTransitionTimes(
      [condition('BackendsDiscovered', 'True', t0), condition('Ready', 'True', t0)],
      [condition('Ready', 'False', t1), condition('BackendsDiscovered', 'True', t1)],
    );
    expect(result.map((c) => [c.type, c.lastTransitionTime])).to.deep.equal([
      ['Ready', t1],
      ['BackendsDiscovered', t0],
    ]);
  });

  it('gives a new condition the new time and drops one that is no longer reported', () => {
    const result = carryTransitionTimes(
      [condition('Ready', 'True', t0), condition('Degraded', 'True', t0)],
      [condition('Ready', 'True', t1), condition('BackendsDiscovered', 'True', t1)],
    );
    expect(result.map((c) => [c.type, c.lastTransitionTime])).to.deep.equal([
      ['Ready', t0],
      ['BackendsDiscovered', t1],
    ]);
  });

  it('returns the next conditions as they are without a previous set', () => {
    const next = [condition('Ready', 'True', t1)];
    expect(carryTransitionTimes(undefined, next)).to.deep.equal(next);
    expect(carryTransitionTimes([], next)).to.deep.equal(next);
    expect(carryTransitionTimes(undefined, next)).not.to.equal(next);
  });

  it('changes neither argument', () => {
    const previous = [condition('Ready', 'True', t0)];
    const next = [condition('Ready', 'True', t1)];
    const before = structuredClone({ previous, next });
    carryTransitionTimes(previous, next);
    expect({ previous, next }).to.deep.equal(before);
  });
});
