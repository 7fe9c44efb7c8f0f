import { paceLatest } from '../../../src/reactive/pace-latest.js';
import { testScheduler } from '../../support/marbles.js';

describe('paceLatest', () => {
  it('sends the first value after a quiet period at once', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // b comes just after a's window ends, c long after b's.
      const source = cold('a 30s b 59s c|');
      expectObservable(source.pipe(paceLatest(30_000))).toBe('a 30s b 59s c|');
    });
  });

  it('collapses a burst to one value per interval and always sends its last value', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-d-e-f-----------|');
      const sub = '         ^----------------------!';
      const expected = '    -a------d------f-------|';
      expectObservable(source.pipe(paceLatest(7))).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(sub);
    });
  });

  it('starts a new window after a trailing value, so values stay an interval apart', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b------c-|');
      const expected = ' -a----b----c|';
      expectObservable(source.pipe(paceLatest(5))).toBe(expected);
    });
  });

  it('flushes the pending value at once when the source completes', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c|');
      const expected = ' -a----(c|)';
      expectObservable(source.pipe(paceLatest(30_000))).toBe(expected);
    });
  });

  it('sends nothing more after a window with no new value', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-------------|');
      const expected = ' -a-------------|';
      expectObservable(source.pipe(paceLatest(3))).toBe(expected);
    });
  });

  it('passes errors through and unsubscribes its window', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-#');
      expectObservable(source.pipe(paceLatest(10))).toBe('-a---#');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribes from the source when the subscriber does', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e');
      expectObservable(source.pipe(paceLatest(4)), '^------!').toBe('-a---c--');
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });
});
