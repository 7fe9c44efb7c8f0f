import { expect } from 'chai';
import { AcceptedStatus } from '../../../src/apply/accepted-status.js';
import { laidOutPatch } from '../../../src/apply/runtime-snapshot.js';
import { statusOf } from '../../../tools/cluster/status-fixtures.js';

const ref = { name: 'demo', namespace: 'team-a' };
const first = new Date('2026-12-01T10:00:00Z');
/** A patch for one backend with `tools` tools checked at `checkedAt`, carrying `previous` conditions' times. */
const patchOf = (tools: number, checkedAt = first, previous?: Parameters<typeof laidOutPatch>[3]) =>
  laidOutPatch(
    ref,
    statusOf([['alpha', 'healthy', tools]], checkedAt),
    'top-level',
    previous,
    new Set(),
  );

describe('AcceptedStatus', () => {
  it('holds a status saying the same as the last accepted write, check times aside', () => {
    const clock = { now: 1_000 };
    const last = new AcceptedStatus(300_000, () => clock.now);
    expect(last.holds(patchOf(4), 'top-level', undefined, 30_000)).to.equal(false);
    last.accepted(patchOf(4), 'top-level');
    // As the reporter builds it: the condition times carried from the accepted write.
    const later = patchOf(4, new Date('2026-12-01T10:01:00Z'), last.conditions('top-level'));
    expect(last.holds(later, 'top-level', undefined, 30_000)).to.equal(true);
    expect(last.holds(patchOf(5), 'top-level', undefined, 30_000)).to.equal(false);
  });

  it('falls back to the server status after forget, and to nothing in another layout', () => {
    const last = new AcceptedStatus(0, () => 0);
    last.accepted(patchOf(4), 'top-level');
    last.forget();
    expect(last.patch).to.equal(undefined);
    expect(last.heldBy(patchOf(4).status)).to.equal(undefined);
    expect(last.holds(patchOf(4), 'top-level', patchOf(4).status, 30_000)).to.equal(true);
    expect(last.holds(patchOf(4), 'top-level', patchOf(9).status, 30_000)).to.equal(false);
    last.accepted(patchOf(4), 'top-level');
    expect(last.conditions('top-level')?.map((c) => c.type)).to.include('Ready');
    expect(last.conditions('runtime')).to.equal(undefined);
  });

  it('a refresh is due once the last write is a refresh period old, less one interval', () => {
    const written = 1_000;
    const clock = { now: written };
    const last = new AcceptedStatus(300_000, () => clock.now);
    last.accepted(patchOf(4), 'top-level');
    clock.now = written + 300_000 - 30_000 - 1;
    expect(last.holds(patchOf(4), 'top-level', undefined, 30_000)).to.equal(true);
    clock.now += 1;
    expect(last.holds(patchOf(4), 'top-level', undefined, 30_000)).to.equal(false);
    // At most a tenth of the period early, however long the interval.
    clock.now = written + 300_000 - 30_001;
    expect(last.holds(patchOf(4), 'top-level', undefined, 600_000)).to.equal(true);
  });

  it('heldBy compares the server with the last accepted write, check times included', () => {
    const last = new AcceptedStatus(0, () => 0);
    last.accepted(patchOf(4), 'top-level');
    expect(last.heldBy(patchOf(4).status)).to.equal(true);
    const later = patchOf(4, new Date('2026-12-01T11:00:00Z'), last.conditions('top-level'));
    expect(last.heldBy(later.status)).to.equal(false);
  });
});
