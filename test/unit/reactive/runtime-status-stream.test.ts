import { expect } from 'chai';
import { map } from 'rxjs';
import { ConfigError } from '../../../src/errors.js';
import { runtimeStatusStream } from '../../../src/reactive/runtime-status-stream.js';
import type { BackendHealthEvent, RuntimeStatus } from '../../../src/types.js';
import { check } from '../../../tools/cluster/health-checks.js';
import { testScheduler } from '../../support/marbles.js';

/** A compact view of a status for marble diagrams: phase, routable count, backend names. */
function summary(status: RuntimeStatus): string {
  return `${status.phase} ${status.backendCount}/${status.backends.length} [${status.backends.map((b) => `${b.name}:${b.status}`).join(',')}]`;
}

const at = (ms: number) => new Date(ms);
const checks = {
  x: check('x', 'healthy', { checkedAt: at(1) }),
  X: check('x', 'healthy', { checkedAt: at(2), latencyMs: 900 }), // volatile fields only
  u: check('x', 'unhealthy'),
  d: check('x', 'degraded'),
  y: check('y', 'healthy'),
  Y: check('y', 'unhealthy'),
  z: check('z', 'healthy'),
} satisfies Record<string, BackendHealthEvent>;
const configs = { c: ['x', 'y'], o: ['x'], n: [] as string[], a: ['x', 'z'] };

describe('runtimeStatusStream', () => {
  it('waits for the first check of every initially configured backend before the first report', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('c-------', configs);
      const checks$ = hot('     --x--y--', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 100,
        firstCheckTimeoutMs: 1000,
      });
      expectObservable(status$.pipe(map(summary))).toBe('-----s--', {
        s: 'Ready 2/2 [x:healthy,y:healthy]',
      });
    });
  });

  it('reports after the first-check timeout when a backend never answers', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('c-----------', configs);
      const checks$ = hot('     --x---------', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 100,
        firstCheckTimeoutMs: 10,
      });
      expectObservable(status$.pipe(map(summary))).toBe('----------s-', {
        s: 'Ready 1/1 [x:healthy]',
      });
    });
  });

  it('reports at once when no backend is configured', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const status$ = runtimeStatusStream(hot<BackendHealthEvent>('----'), hot('-n--', configs), {
        scheduler: ts,
      });
      expectObservable(status$.pipe(map((s) => s.message))).toBe('-m--', {
        m: 'No backends configured',
      });
    });
  });

  it('does not report a check that changes only volatile fields', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o----------', configs);
      const checks$ = hot('     -x--X--X-X-', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 2,
      });
      expectObservable(status$.pipe(map(summary))).toBe('-s---------', {
        s: 'Ready 1/1 [x:healthy]',
      });
    });
  });

  it('reports a change after a quiet period at once, a burst at most once per interval, and its last state', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o----------------------------', configs);
      const checks$ = hot('     x 30s u-x-u-x-u 30s x', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 30_000,
        urgentBurst: 0, // the pacing alone: no phase change skips it
      });
      // x at 0; after a quiet interval the burst's first change (u) goes out at once, its
      // last state (u again) when that interval ends; x, inside the next interval, at its end.
      expectObservable(status$.pipe(map((s) => s.phase))).toBe('r 30s f 29999ms f 29999ms r', {
        r: 'Ready',
        f: 'Failed',
      });
    });
  });

  it('costs at most two reports for a hundred flaps in one interval', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const flaps = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 'u' : 'x')).join('');
      const configured$ = cold('o', configs);
      const checks$ = hot(`x 30s ${flaps}`, checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 30_000,
        urgentBurst: 0,
      });
      // Ready at 0; of the flaps after a quiet interval, the first (u) at once, the last (x) 30 s later.
      expectObservable(status$.pipe(map((s) => s.phase))).toBe('r 30s f 29999ms r', {
        r: 'Ready',
        f: 'Failed',
      });
    });
  });

  it("follows backends added and removed at run time and ignores a removed backend's late checks", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('c-----o-------a-------', configs);
      const checks$ = hot('     -x-y----Y-Y-----z----', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
      });
      expectObservable(status$.pipe(map(summary))).toBe('---a--b-------c-d----', {
        a: 'Ready 2/2 [x:healthy,y:healthy]',
        b: 'Ready 1/1 [x:healthy]',
        c: 'Ready 1/1 [x:healthy]', // z added, not checked yet
        d: 'Ready 2/2 [x:healthy,z:healthy]',
      });
    });
  });

  it('counts checks that arrive before the configuration', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('---o---', configs);
      const checks$ = hot('     -x-----', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
      });
      expectObservable(status$.pipe(map(summary))).toBe('---s---', { s: 'Ready 1/1 [x:healthy]' });
    });
  });

  it('re-emits the current status every statusRefreshMs without a change', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o-------------------', configs);
      const checks$ = hot('     x-------------------', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
        statusRefreshMs: 5,
      });
      expectObservable(status$.pipe(map((s) => s.phase)), '^------------------!').toBe(
        'r----r----r----r----',
        { r: 'Ready' },
      );
    });
  });

  it('resyncs only after statusRefreshMs without a change: a change starts the wait over', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o-------------------', configs);
      const checks$ = hot('     x--u-----x----------', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
        statusRefreshMs: 5,
      });
      // Changes at 0, 3 and 9; resyncs 5 frames after the last change, then every 5.
      expectObservable(status$.pipe(map((s) => s.phase)), '^------------------!').toBe(
        'r--f----ar----r----',
        { r: 'Ready', f: 'Failed', a: 'Failed' },
      );
    });
  });

  it('does not resync by default', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const status$ = runtimeStatusStream(hot('x', checks), hot('o', configs), {
        scheduler: ts,
        reportIntervalMs: 1,
      });
      expectObservable(status$.pipe(map((s) => s.phase)), '^ 10m !').toBe('r', { r: 'Ready' });
    });
  });

  it('sends the pending state at once and completes when its inputs complete', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o------|', configs);
      const checks$ = hot('     x--u-|', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 30_000,
        statusRefreshMs: 1000,
        urgentBurst: 0,
      });
      // u comes inside the first interval; the inputs complete long before it ends.
      expectObservable(status$.pipe(map((s) => s.phase))).toBe('r------(f|)', {
        r: 'Ready',
        f: 'Failed',
      });
    });
  });

  it("keeps a condition's lastTransitionTime until its status flips", () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o--------', configs);
      const checks$ = hot('     x--d--x--', {
        ...checks,
        x: check('x', 'healthy', { toolCount: 1 }),
        d: check('x', 'healthy', { toolCount: 2 }),
      });
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
      });
      const readySince = status$.pipe(
        map((s) => s.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime.getTime()),
      );
      expectObservable(readySince).toBe('a--a--a--', { a: 0 });
    });
    const ts2 = testScheduler();
    ts2.run(({ hot, expectObservable }) => {
      const status$ = runtimeStatusStream(hot('x--u--x--', checks), hot('o--------', configs), {
        scheduler: ts2,
        reportIntervalMs: 1,
      });
      const readySince = status$.pipe(
        map((s) => s.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime.getTime()),
      );
      expectObservable(readySince).toBe('a--b--c--', { a: 0, b: 3, c: 6 });
    });
  });

  it('moves lastDiscoveryTime when the backends or a tool count change, not on a status change', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('o-----------a------', configs);
      const checks$ = hot('     x---u---t---------', {
        ...checks,
        u: check('x', 'unhealthy', { toolCount: 10 }),
        t: check('x', 'unhealthy', { toolCount: 42 }),
      });
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
      });
      expectObservable(status$.pipe(map((s) => s.lastDiscoveryTime?.getTime()))).toBe(
        'a---a---b---c------',
        { a: 0, b: 8, c: 12 },
      );
    });
  });

  it('does what its TSDoc diagram says', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const configured$ = hot('a--------------------', { a: ['x', 'y'] });
      const checks$ = hot('     -x-y-v--t----u------', {
        x: check('x', 'healthy'),
        y: check('y', 'healthy'),
        v: check('x', 'healthy', { checkedAt: at(5) }),
        t: check('x', 'healthy', { toolCount: 11 }),
        u: check('y', 'unhealthy'),
      });
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 5,
      });
      expectObservable(status$.pipe(map((s) => `${s.phase} ${s.totalToolCount}`))).toBe(
        '                     ---S----T----U------',
        { S: 'Ready 20', T: 'Ready 21', U: 'Degraded 11' },
      );
    });
  });

  describe('the urgent lane', () => {
    it('reports a phase change at once, though a detail change took the interval just before', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        // After a quiet interval a tool count change (t, at 40 s) takes the leading slot
        // of a 30 s interval; y goes down 1.5 s later: Degraded goes out at once, not at 70 s.
        const configured$ = hot('c', configs);
        const checks$ = hot('     (xy) 39996ms t 1499ms Y', {
          ...checks,
          t: check('x', 'healthy', { toolCount: 11 }),
        });
        const status$ = runtimeStatusStream(checks$, configured$, {
          scheduler: ts,
          reportIntervalMs: 30_000,
        });
        expectObservable(status$.pipe(map((s) => `${s.phase} ${s.totalToolCount}`))).toBe(
          'r 39999ms t 1499ms d',
          { r: 'Ready 20', t: 'Ready 21', d: 'Degraded 11' },
        );
      });
    });

    it('paces detail changes that follow an urgent report on the interval it started', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        const configured$ = hot('o', configs);
        const checks$ = hot('     x 9s u 4s t 1s T', {
          ...checks,
          t: check('x', 'unhealthy', { errorCategory: 'timeout' }),
          T: check('x', 'unhealthy', { errorCategory: 'connection_failed' }),
        });
        const status$ = runtimeStatusStream(checks$, configured$, {
          scheduler: ts,
          reportIntervalMs: 10_000,
        });
        // u at 9 s (urgent) starts a window to 19 s; t and T (details) wait for its end.
        expectObservable(
          status$.pipe(map((s) => `${s.phase} ${s.backends[0]?.errorCategory ?? '-'}`)),
        ).toBe('r 9s u 9999ms T', {
          r: 'Ready -',
          u: 'Failed -',
          T: 'Failed connection_failed',
        });
      });
    });

    it('flapping for a minute costs at most 60 s / interval + 1 reports plus the bucket', () => {
      const ts = testScheduler();
      const reportedAt: number[] = [];
      ts.run(({ hot }) => {
        const flaps = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 'u' : 'x')).join(
          ' 999ms ',
        );
        const status$ = runtimeStatusStream(hot(`x 999ms ${flaps}`, checks), hot('o', configs), {
          scheduler: ts,
          reportIntervalMs: 30_000,
        });
        status$.subscribe(() => reportedAt.push(ts.now()));
      });
      // Defaults: a bucket of 3, one more per report interval.
      const inFirstMinute = reportedAt.filter((t) => t < 60_000).length;
      expect(inFirstMinute).to.be.at.most(60_000 / 30_000 + 1 + 3 + 60_000 / 30_000);
      expect(reportedAt.slice(0, 4)).to.deep.equal([0, 1_000, 2_000, 3_000]);
    });
  });

  describe('with the served catalogue', () => {
    const served = {
      a: new Map([
        ['x', ['x_search', 'x_fetch']],
        ['y', ['y_search']],
      ]),
      b: new Map([['x', ['x_search', 'x_fetch']]]),
    };

    it('counts what is served, and its message says the same numbers', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        // Each backend's check says 10 tools; the vMCP serves 3 after conflict resolution.
        const status$ = runtimeStatusStream(hot('(xy)', checks), hot('c', configs), {
          scheduler: ts,
          served$: hot('a', served),
        });
        expectObservable(
          status$.pipe(
            map(
              (s) =>
                `${s.totalToolCount} ${s.backends.map((b) => b.toolCount).join('+')} ${s.message}`,
            ),
          ),
        ).toBe('s', { s: '3 2+1 2/2 backends routable, 3 tools' });
      });
    });

    it('reports a phase change with the catalogue the embedder set in the same turn', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        // y goes down at 5 s and the vMCP drops its tools in the same frame: one report,
        // with both, at once.
        const status$ = runtimeStatusStream(hot('(xy) 4999ms Y', checks), hot('c', configs), {
          scheduler: ts,
          reportIntervalMs: 30_000,
          served$: hot('a 5002ms b', served),
        });
        expectObservable(status$.pipe(map((s) => `${s.phase} ${s.totalToolCount}`))).toBe(
          'r 5002ms d',
          { r: 'Ready 3', d: 'Degraded 2' },
        );
      });
    });

    it('a served count change is a detail change: paced, and moves lastDiscoveryTime', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        const status$ = runtimeStatusStream(hot('(xy)', checks), hot('c', configs), {
          scheduler: ts,
          reportIntervalMs: 10,
          served$: hot('a--b-a', served),
        });
        expectObservable(
          status$.pipe(map((s) => `${s.totalToolCount}@${s.lastDiscoveryTime?.getTime()}`)),
        ).toBe('a---------b', { a: '3@0', b: '3@5' });
      });
    });
  });

  it('is hot: a second subscriber shares the state and the inputs, and gets the latest status', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const configured$ = hot('o------', configs);
      const checks$ = hot('     x--u---', checks);
      const status$ = runtimeStatusStream(checks$, configured$, {
        scheduler: ts,
        reportIntervalMs: 1,
      });
      expectObservable(status$.pipe(map((s) => s.phase))).toBe('r--f---', {
        r: 'Ready',
        f: 'Failed',
      });
      expectObservable(status$.pipe(map((s) => s.phase)), '-^-----').toBe('-r-f---', {
        r: 'Ready',
        f: 'Failed',
      });
      expectSubscriptions(checks$.subscriptions).toBe('^------');
      expectSubscriptions(configured$.subscriptions).toBe('^------');
    });
  });

  it('rejects an invalid interval with an error naming the option', () => {
    expect(() => runtimeStatusStream(hot0(), hot0(), { reportIntervalMs: -1 })).to.throw(
      ConfigError,
      /reportIntervalMs/,
    );
    expect(() => runtimeStatusStream(hot0(), hot0(), { statusRefreshMs: Number.NaN })).to.throw(
      ConfigError,
      /statusRefreshMs/,
    );
    expect(() => runtimeStatusStream(hot0(), hot0(), { urgentBurst: 1.5 })).to.throw(
      ConfigError,
      /urgentBurst/,
    );
  });
});

function hot0() {
  return testScheduler().createHotObservable<never>('-');
}
