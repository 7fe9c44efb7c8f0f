import { expect } from 'chai';
import { ConcurrencyLimit } from '../../../src/runtime/concurrency-limit.js';
import { testScheduler } from '../../support/marbles.js';

describe('ConcurrencyLimit', function () {
  it('runs at most max at once; the next starts when one completes', function () {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limit = new ConcurrencyLimit(1);
      const a = cold('--a|');
      const b = cold('-b|');
      expectObservable(limit.run(a)).toBe('--a|');
      expectObservable(limit.run(b)).toBe('----b|');
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(b.subscriptions).toBe('---^-!');
    });
  });

  it('frees the slot of an observable that errors', function () {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = new ConcurrencyLimit(1);
      expectObservable(limit.run(cold('-#'))).toBe('-#');
      expectObservable(limit.run(cold('-b|'))).toBe('--b|');
    });
  });

  it('unsubscribing a waiting one takes it out of the line', function () {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limit = new ConcurrencyLimit(1);
      const a = cold('---a|');
      const b = cold('b|');
      const c = cold('c|');
      expectObservable(limit.run(a)).toBe('---a|');
      expectObservable(limit.run(b), '-!').toBe('');
      expectObservable(limit.run(c)).toBe('----c|');
      expectSubscriptions(b.subscriptions).toBe([]);
      expectSubscriptions(c.subscriptions).toBe('----^!');
    });
  });

  it('unsubscribing a running one frees its slot at once', function () {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = new ConcurrencyLimit(1);
      expectObservable(limit.run(cold('-----a|')), '--!').toBe('');
      expectObservable(limit.run(cold('b|'))).toBe('--b|');
    });
  });

  it('counts active and waiting', function () {
    const limit = new ConcurrencyLimit(2);
    testScheduler().run(({ cold, flush }) => {
      for (let i = 0; i < 5; i++) limit.run(cold('--x|')).subscribe();
      expect([limit.active, limit.waiting]).to.deep.equal([2, 3]);
      flush();
      expect([limit.active, limit.waiting]).to.deep.equal([0, 0]);
    });
  });

  it('rejects a limit below 1', function () {
    expect(() => new ConcurrencyLimit(0)).to.throw(/maxConcurrentProbes/);
  });
});
