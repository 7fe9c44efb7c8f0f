import { expect } from 'chai';
import { paceWithUrgentLane } from '../../../src/reactive/pace-with-urgent-lane.js';
import { testScheduler } from '../../support/marbles.js';

/** Upper-case letters are urgent unless the same letter went out last. */
const upperCase = {
  isUrgent: (value: string, lastSent: string | undefined) =>
    value === value.toUpperCase() && value !== lastSent,
};

describe('paceWithUrgentLane', () => {
  it('without a lane, paces leading and trailing like throttleTime', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-e-f-----------|');
      expectObservable(source.pipe(paceWithUrgentLane(7, undefined))).toBe(
        '                 -a------d------f-------|',
      );
    });
  });

  it('sends an urgent value at once inside a window, and starts a new window from it', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // b waits in a's window; C is urgent: out at once, carrying nothing of b; d waits
      // for C's window (to 13), not a's (to 10).
      const source = hot('a-b-C---d------|');
      const expected = '  a---C----d-----|';
      expectObservable(source.pipe(paceWithUrgentLane(5, upperCase))).toBe(expected);
    });
  });

  it('sends the newest value when the urgent one is followed in the same frame', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // C and d arrive together: one value goes out, the newer.
      const source = hot('a-b-(Cd)-----|');
      const expected = '  a---d--------|';
      expectObservable(source.pipe(paceWithUrgentLane(5, upperCase))).toBe(expected);
    });
  });

  it('sends one value per transition: a repeat of the value last sent is not urgent', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('A-B-B-B------|');
      const expected = '  A-B----B-----|';
      expectObservable(source.pipe(paceWithUrgentLane(5, upperCase))).toBe(expected);
    });
  });

  it('without a token an urgent value waits like any other, until the bucket refills', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // One token, refilled after 20: B spends it, C waits for B's window, D (after the
      // refill) goes out at once again.
      const lane = { ...upperCase, burst: 1, refillMs: 20 };
      const source = hot('a-B-C---------------D--|');
      const expected = '  a-B----C------------D--|';
      expectObservable(source.pipe(paceWithUrgentLane(5, lane))).toBe(expected);
    });
  });

  it('a flapping value costs at most 60 s / interval + 1 paced values a minute plus the bucket', () => {
    const ts = testScheduler();
    const sentAt: number[] = [];
    ts.run(({ hot }) => {
      // A flip every second for a minute, at a 30 s interval, a bucket of 3 refilled every 30 s.
      const flips = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 'A' : 'B')).join(' 999ms ');
      const source = hot(`${flips} 999ms |`);
      const lane = { ...upperCase, burst: 3, refillMs: 30_000 };
      source.pipe(paceWithUrgentLane(30_000, lane, ts)).subscribe(() => sentAt.push(ts.now()));
    });
    // The budget: 60/30 + 1 = 3 paced, plus the burst of 3 and 60/30 = 2 refills.
    expect(sentAt.length).to.be.at.most(3 + 3 + 2);
    // The first flip leads; the next three spend the bucket; the refill at 30 s lets that
    // flip out at once; the rest wait for its window, the last going out at the end.
    expect(sentAt).to.deep.equal([0, 1_000, 2_000, 3_000, 30_000, 60_000]);
  });

  it('flushes the pending value at once when the source completes, cancelling the wait', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c|');
      expectObservable(source.pipe(paceWithUrgentLane(30_000, upperCase))).toBe('-a----(c|)');
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('passes errors through and unsubscribes from the source when the subscriber does', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-B-#');
      expectObservable(source.pipe(paceWithUrgentLane(10, upperCase))).toBe('-a-B-#');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e');
      expectObservable(source.pipe(paceWithUrgentLane(4, upperCase)), '^------!').toBe('-a---c--');
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('rejects a fractional burst or a zero refill naming the option', () => {
    expect(() => paceWithUrgentLane(5, { ...upperCase, burst: 1.5 })).to.throw(/urgentBurst/);
    expect(() => paceWithUrgentLane(5, { ...upperCase, refillMs: 0 })).to.throw(/urgentRefillMs/);
  });
});
