import { expect } from 'chai';
import { NEVER, defer, map, of, tap, throwError, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import { monitorBackends, type MonitorOptions } from '../../../src/runtime/monitor.js';
import type { ProbeResult } from '../../../src/runtime/prober.js';
import type { BackendHealthEvent } from '../../../src/types.js';
import { testScheduler } from '../../support/marbles.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';
import { ScriptedProbers, results } from '../../support/mcp/scripted-prober.js';

const backend = (name: string, url = `http://127.0.0.1:1/${name}`): BackendConfig => ({
  name,
  url,
});
const x = backend('x');
const y = backend('y');

/** An event as `name:status:failures[:category][/circuit]`, for readable marbles. */
function summary(e: BackendHealthEvent): string {
  return (
    `${e.name}:${e.status}:${e.consecutiveFailures}` +
    (e.errorCategory === undefined ? '' : `:${e.errorCategory}`) +
    (e.circuitBreakerState === undefined ? '' : `/${e.circuitBreakerState}`)
  );
}

/** Results from a list, one per probe; the last one repeats. */
function sequence(...list: ProbeResult[]): (n: number) => Observable<ProbeResult> {
  return (n) => of(list[Math.min(n, list.length - 1)]!);
}

describe('monitorBackends', function () {
  let scheduler: TestScheduler;
  beforeEach(function () {
    scheduler = testScheduler();
  });

  function monitor(
    backends$: Observable<readonly BackendConfig[]>,
    probers: ScriptedProbers,
    options: MonitorOptions = {},
  ): Observable<string> {
    return monitorBackends(backends$, {
      probeIntervalMs: 10,
      createProber: probers.create,
      scheduler,
      ...options,
    }).pipe(map(summary));
  }

  it('probes at once, then every interval, and closes the prober on unsubscribe', function () {
    const probers = new ScriptedProbers(() => of(results.ok(4)));
    scheduler.run(({ expectObservable }) => {
      expectObservable(monitor(of([x]), probers), '^ 25ms !').toBe('a 9ms a 9ms a', {
        a: 'x:healthy:0',
      });
    });
    expect(probers.of('x')[0]!.probes).to.equal(3);
    expect(probers.of('x')[0]!.closed).to.equal(1);
  });

  it('logs each failed probe at debug, whichever prober made it: category and scrubbed detail', function () {
    const log = memoryLogger('debug');
    const probers = new ScriptedProbers(() =>
      of<ProbeResult>({
        outcome: 'failed',
        errorCategory: 'backend_unavailable',
        errorDetail: 'StreamableHTTPError HTTP 500',
        latencyMs: 3.4,
      }),
    );
    scheduler.run(({ flush }) => {
      const sub = monitorBackends(of([x]), {
        probeIntervalMs: 10,
        createProber: probers.create,
        scheduler,
        logger: log.logger,
      }).subscribe();
      scheduler.schedule(() => {
        sub.unsubscribe();
      }, 25);
      flush();
    });
    const failed = log.lines.filter((l) => l.msg === 'probe failed');
    expect(failed).to.have.length(3);
    expect(failed[0]).to.deep.include({
      level: LEVEL.debug,
      component: 'monitor',
      backend: 'x',
      errorCategory: 'backend_unavailable',
      errorDetail: 'StreamableHTTPError HTTP 500',
      latencyMs: 3,
    });
  });

  it('carries tool count, latency, url and check time in each event', function () {
    const probers = new ScriptedProbers(() => of(results.ok(7)));
    const events: BackendHealthEvent[] = [];
    scheduler.run(({ flush }) => {
      const sub = monitorBackends(of([x]), {
        probeIntervalMs: 10,
        createProber: probers.create,
        scheduler,
      }).subscribe((e) => events.push(e));
      scheduler.schedule(() => {
        sub.unsubscribe();
      }, 5);
      flush();
    });
    expect(events[0]).to.deep.include({
      name: 'x',
      url: x.url,
      status: 'healthy',
      toolCount: 7,
      latencyMs: 1,
      consecutiveFailures: 0,
      checkedAt: new Date(0),
    });
  });

  it('shows a first failure as unknown and turns unhealthy at the threshold', function () {
    const probers = new ScriptedProbers(() => of(results.fail('timeout')));
    scheduler.run(({ expectObservable }) => {
      expectObservable(monitor(of([x]), probers), '^ 35ms !').toBe('a 9ms b 9ms c 9ms d', {
        a: 'x:unknown:1:timeout',
        b: 'x:unknown:2:timeout',
        c: 'x:unhealthy:3:timeout',
        d: 'x:unhealthy:4:timeout',
      });
    });
  });

  it('keeps the previous status below the threshold, and recovers through degraded', function () {
    const { ok, fail } = results;
    const script = sequence(ok(), fail(), ok(), fail(), fail(), fail(), ok(), ok());
    const scripted = new ScriptedProbers((_name, n) => script(n));
    scheduler.run(({ expectObservable }) => {
      expectObservable(monitor(of([x]), scripted, { unhealthyThreshold: 3 }), '^ 75ms !').toBe(
        'a 9ms b 9ms a 9ms b 9ms c 9ms d 9ms e 9ms a',
        {
          a: 'x:healthy:0',
          b: 'x:healthy:1:connection_failed',
          c: 'x:healthy:2:connection_failed',
          d: 'x:unhealthy:3:connection_failed',
          e: 'x:degraded:0',
        },
      );
    });
  });

  it('reports slow and unauthenticated backends as the prober says', function () {
    const probers = new ScriptedProbers((name) =>
      of(name === 'x' ? results.slow() : results.unauth()),
    );
    scheduler.run(({ expectObservable }) => {
      expectObservable(monitor(of([x, y]), probers), '^ 5ms !').toBe('(ab)', {
        a: 'x:degraded:0',
        b: 'y:unauthenticated:0',
      });
    });
  });

  describe('circuit breaker', function () {
    it('opens after failureThreshold failures, skips probes while open, half-opens after the timeout', function () {
      const { ok, fail } = results;
      const script = sequence(fail(), fail(), fail(), ok(), ok());
      const probers = new ScriptedProbers((_name, n) => script(n));
      scheduler.run(({ expectObservable }) => {
        const events$ = monitor(of([x]), probers, {
          unhealthyThreshold: 3,
          circuitBreaker: { failureThreshold: 2, openTimeoutMs: 50 },
        });
        // 0: 1st failure; 10: 2nd opens the circuit; nothing until 60 (open timeout):
        // the half-open trial fails and reopens it; at 110 the trial succeeds and closes it.
        expectObservable(events$, '^ 125ms !').toBe('a 9ms b 49ms c 49ms d 9ms e', {
          a: 'x:unknown:1:connection_failed/closed',
          b: 'x:unhealthy:2:connection_failed/open',
          c: 'x:unhealthy:3:connection_failed/open',
          d: 'x:degraded:0/closed',
          e: 'x:healthy:0/closed',
        });
      });
      expect(probers.of('x')[0]!.probes).to.equal(5);
    });

    it('records when the circuit last changed', function () {
      const probers = new ScriptedProbers(() => of(results.fail()));
      const events: BackendHealthEvent[] = [];
      scheduler.run(({ flush }) => {
        const sub = monitorBackends(of([x]), {
          probeIntervalMs: 10,
          createProber: probers.create,
          scheduler,
          circuitBreaker: { failureThreshold: 2, openTimeoutMs: 1_000 },
        }).subscribe((e) => events.push(e));
        scheduler.schedule(() => {
          sub.unsubscribe();
        }, 30);
        flush();
      });
      expect(events.map((e) => e.circuitLastChanged?.getTime())).to.deep.equal([undefined, 10]);
    });
  });

  it('times out a probe that never answers, and cancels it', function () {
    const probers = new ScriptedProbers(() => NEVER);
    scheduler.run(({ expectObservable }) => {
      const events$ = monitor(of([x]), probers, { probeTimeoutMs: 5, unhealthyThreshold: 1 });
      expectObservable(events$, '^ 36ms !').toBe('5ms a 14ms b 14ms c', {
        a: 'x:unhealthy:1:timeout',
        b: 'x:unhealthy:2:timeout',
        c: 'x:unhealthy:3:timeout',
      });
    });
    expect(probers.of('x')[0]!.cancelled).to.equal(3, 'each timed-out probe is cancelled');
  });

  it('turns a prober that throws into health_check_failed', function () {
    scheduler.run(({ expectObservable }) => {
      const events$ = monitorBackends(of([x]), {
        probeIntervalMs: 10,
        scheduler,
        createProber: () => ({
          probe: () => throwError(() => new Error('bug')),
          close: () => Promise.resolve(),
        }),
      }).pipe(map(summary));
      expectObservable(events$, '^ 5ms !').toBe('a', { a: 'x:unknown:1:health_check_failed' });
    });
  });

  describe('backends added and removed at run time', function () {
    it('starts probing an added backend at once', function () {
      const probers = new ScriptedProbers(() => of(results.ok()));
      scheduler.run(({ cold, expectObservable }) => {
        const backends$ = cold('a 14ms b', { a: [x], b: [x, y] });
        expectObservable(monitor(backends$, probers), '^ 27ms !').toBe(
          'x 9ms x 4ms y 4ms x 4ms y',
          {
            x: 'x:healthy:0',
            y: 'y:healthy:0',
          },
        );
      });
    });

    it('cancels a removed backend’s probe in flight and emits nothing more for it', function () {
      const probers = new ScriptedProbers((name) => (name === 'x' ? NEVER : of(results.ok())));
      scheduler.run(({ cold, expectObservable }) => {
        const backends$ = cold('a 9ms b', { a: [x, y], b: [y] });
        expectObservable(
          monitor(backends$, probers, { probeIntervalMs: 100, probeTimeoutMs: 1_000 }),
          '^ 50ms !',
        ).toBe('y', {
          y: 'y:healthy:0',
        });
      });
      const [prober] = probers.of('x');
      expect(prober!.cancelled).to.equal(1);
      expect(prober!.closed).to.equal(1);
    });

    it('starts over when a backend’s url changes', function () {
      const probers = new ScriptedProbers(() => of(results.ok()));
      const events: BackendHealthEvent[] = [];
      scheduler.run(({ cold, flush }) => {
        const backends$ = cold('a 14ms b', { a: [x], b: [backend('x', 'http://127.0.0.1:2/x')] });
        const sub = monitorBackends(backends$, {
          probeIntervalMs: 10,
          createProber: probers.create,
          scheduler,
        }).subscribe((e) => events.push(e));
        scheduler.schedule(() => {
          sub.unsubscribe();
        }, 26);
        flush();
      });
      expect(events.map((e) => [e.checkedAt.getTime(), e.url])).to.deep.equal([
        [0, x.url],
        [10, x.url],
        [15, 'http://127.0.0.1:2/x'],
        [25, 'http://127.0.0.1:2/x'],
      ]);
      expect(probers.of('x').map((p) => p.closed)).to.deep.equal([1, 1]);
    });

    it('keeps probing the last list after backends$ completes', function () {
      const probers = new ScriptedProbers(() => of(results.ok()));
      scheduler.run(({ cold, expectObservable }) => {
        expectObservable(monitor(cold('(a|)', { a: [x] }), probers), '^ 15ms !').toBe('a 9ms a', {
          a: 'x:healthy:0',
        });
      });
    });
  });

  it('runs at most maxConcurrentProbes probes at once, in order', function () {
    let active = 0;
    let maxActive = 0;
    const names = ['a', 'b', 'c', 'd', 'e'];
    scheduler.run(({ cold, expectObservable }) => {
      const probers = new ScriptedProbers(() =>
        defer(() => {
          active++;
          maxActive = Math.max(maxActive, active);
          return cold('10ms (r|)', { r: results.ok() }).pipe(tap({ next: () => active-- }));
        }),
      );
      const events$ = monitor(of(names.map((n) => backend(n))), probers, {
        probeIntervalMs: 1_000,
        maxConcurrentProbes: 2,
      }).pipe(map((s) => s.split(':')[0]!));
      expectObservable(events$, '^ 40ms !').toBe('10ms (ab) 6ms (cd) 6ms e');
    });
    expect(maxActive).to.equal(2);
  });

  it('validates its options', function () {
    expect(() => monitorBackends(of([]), { probeIntervalMs: 0 })).to.throw(/probeIntervalMs/);
    expect(() => monitorBackends(of([]), { maxConcurrentProbes: 0 })).to.throw(
      /maxConcurrentProbes/,
    );
    expect(() => monitorBackends(of([]), { unhealthyThreshold: 1.5 })).to.throw(
      /unhealthyThreshold/,
    );
  });
});
