import { expect } from 'chai';
import fc from 'fast-check';
import { leaseDecision } from '../../../src/apply/lease-decision.js';

const D = 60_000;

describe('leaseDecision', () => {
  it('creates a missing Lease, renews its own, takes a released one at once', () => {
    expect(leaseDecision(undefined, 'a', 0, 0, D)).to.deep.equal({ action: 'create' });
    expect(
      leaseDecision(
        { holderIdentity: 'a', renewedAtMs: 5, leaseDurationSeconds: 60 },
        'a',
        10,
        10,
        D,
      ),
    ).to.deep.equal({ action: 'renew' });
    expect(
      leaseDecision(
        { holderIdentity: '', renewedAtMs: 5, leaseDurationSeconds: 60 },
        'a',
        10,
        10,
        D,
      ),
    ).to.deep.equal({ action: 'take' });
  });

  it('waits for another holder’s term, counted from its renewTime, then takes it', () => {
    const lease = { holderIdentity: 'b', renewedAtMs: 1_000, leaseDurationSeconds: 60 };
    expect(leaseDecision(lease, 'a', 31_000, 31_000, D)).to.deep.equal({
      action: 'wait',
      holder: 'b',
      waitMs: 30_000,
    });
    expect(leaseDecision(lease, 'a', 61_000, 31_000, D)).to.deep.equal({ action: 'take' });
  });

  it('counts a renewTime in its future (clock skew) from when it first saw it', () => {
    const lease = { holderIdentity: 'b', renewedAtMs: 500_000, leaseDurationSeconds: 60 };
    expect(leaseDecision(lease, 'a', 10_000, 5_000, D)).to.deep.equal({
      action: 'wait',
      holder: 'b',
      waitMs: 55_000,
    });
    expect(leaseDecision(lease, 'a', 65_000, 5_000, D).action).to.equal('take');
  });

  it('never lets two identities both write: a waiter waits at most one term', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (renewed, seconds, now) => {
          const lease = {
            holderIdentity: 'b',
            renewedAtMs: renewed,
            leaseDurationSeconds: seconds,
          };
          const decision = leaseDecision(lease, 'a', now, now, D);
          if (decision.action === 'wait') {
            expect(decision.waitMs)
              .to.be.above(0)
              .and.at.most(seconds * 1000);
            expect(now).to.be.below(Math.max(renewed, now) + seconds * 1000);
          } else {
            expect(decision.action).to.equal('take');
            // Taken only once the holder's term, dated by either clock, is over.
            expect(now).to.be.at.least(
              Math.min(renewed > now ? now : renewed, now) + seconds * 1000,
            );
          }
        },
      ),
    );
  });
});
