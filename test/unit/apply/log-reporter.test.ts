import { expect } from 'chai';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { LogReporter } from '../../../src/apply/log-reporter.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import type { BackendHealthEvent, RuntimeStatus } from '../../../src/types.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';
import { LEVEL, memoryLogger, type LogLine } from '../../support/memory-log.js';

/** The status the pipeline would derive from these checks, every one configured. */
function statusOf(...checks: BackendHealthEvent[]): RuntimeStatus {
  return deriveRuntimeStatus(
    statesOf(checks),
    checks.map((c) => c.name),
    new Date(0),
  );
}

const RAW_ERROR = 'connect ECONNREFUSED 10.0.0.7:8080 Authorization: Bearer s3cr3t';

const changedLines = (lines: readonly LogLine[]) =>
  lines.filter((l) => l.msg === 'runtime status changed');

describe('LogReporter', () => {
  it('logs one info line per change with phase, counts and the backends that changed', async () => {
    const { logger, lines } = memoryLogger('info');
    const reporter = new LogReporter({ logger });

    await reporter.report(statusOf(check('a', 'healthy'), check('b', 'healthy')));
    await reporter.report(
      statusOf(
        check('a', 'healthy'),
        check('b', 'unhealthy', { errorCategory: 'connection_failed' }),
      ),
    );

    expect(lines).to.have.length(2);
    const [first, second] = lines;
    expect(first).to.include({
      level: LEVEL.info,
      msg: 'runtime status changed',
      component: 'log-reporter',
      phase: 'Ready',
      statusMessage: '2/2 backends routable, 20 tools',
      configuredBackends: 2,
      backendCount: 2,
      healthyBackends: 2,
      unhealthyBackends: 0,
      totalToolCount: 20,
    });
    expect(first).not.to.have.property('previousPhase');
    expect(first!.changes).to.deep.equal([
      { name: 'a', kind: 'added', to: 'healthy', toolCount: 10 },
      { name: 'b', kind: 'added', to: 'healthy', toolCount: 10 },
    ]);
    expect(second).to.include({
      level: LEVEL.info,
      phase: 'Degraded',
      previousPhase: 'Ready',
      backendCount: 1,
      healthyBackends: 1,
      unhealthyBackends: 1,
      totalToolCount: 10,
    });
    expect(second!.changes).to.deep.equal([
      {
        name: 'b',
        kind: 'changed',
        from: 'healthy',
        to: 'unhealthy',
        toolCount: 0,
        errorCategory: 'connection_failed',
      },
    ]);
  });

  it('lists a removed backend', async () => {
    const { logger, lines } = memoryLogger('info');
    const reporter = new LogReporter({ logger });
    await reporter.report(statusOf(check('a', 'healthy'), check('b', 'healthy')));
    await reporter.report(statusOf(check('a', 'healthy')));
    expect(changedLines(lines)[1]!.changes).to.deep.equal([
      { name: 'b', kind: 'removed', from: 'healthy' },
    ]);
  });

  it('logs nothing at info for a status that did not change, even in volatile fields', async () => {
    const { logger, lines } = memoryLogger('debug');
    const reporter = new LogReporter({ logger });
    const first = statusOf(check('a', 'healthy', { checkedAt: new Date(1), latencyMs: 3 }));
    await reporter.report(first);
    await reporter.report(
      statusOf(check('a', 'healthy', { checkedAt: new Date(9_000), latencyMs: 800 })),
    );

    expect(lines.filter((l) => l.level >= LEVEL.info)).to.have.length(1);
    expect(lines.at(-1)).to.include({ level: LEVEL.debug, msg: 'runtime status unchanged' });
    expect(reporter.lastReported).to.equal(first);
  });

  it('logs raw error text only at debug level, never at info', async () => {
    const failing = () =>
      statusOf(
        check('a', 'healthy'),
        check('b', 'unhealthy', { errorCategory: 'connection_failed', errorDetail: RAW_ERROR }),
      );

    const info = memoryLogger('info');
    await new LogReporter({ logger: info.logger }).report(failing());
    expect(info.lines).to.have.length(1);
    expect(info.raw.join('')).not.to.include('ECONNREFUSED');
    expect(info.raw.join('')).not.to.include('s3cr3t');

    const debug = memoryLogger('debug');
    await new LogReporter({ logger: debug.logger }).report(failing());
    const detail = debug.lines.filter((l) => l.msg === 'backend error detail');
    expect(detail).to.have.length(1);
    expect(detail[0]).to.include({ level: LEVEL.debug, backend: 'b', errorDetail: RAW_ERROR });
    for (const line of debug.lines.filter((l) => l.level >= LEVEL.info)) {
      expect(JSON.stringify(line)).not.to.include('ECONNREFUSED');
    }
  });

  it('lists at most maxListedChanges backend changes and counts the rest', async () => {
    const { logger, lines } = memoryLogger('info');
    const reporter = new LogReporter({ logger, maxListedChanges: 3 });
    const names = ['b01', 'b02', 'b03', 'b04', 'b05', 'b06', 'b07'];
    await reporter.report(statusOf(...names.map((n) => check(n, 'healthy'))));

    const [line] = changedLines(lines);
    expect((line!.changes as Array<{ name: string }>).map((c) => c.name)).to.deep.equal([
      'b01',
      'b02',
      'b03',
    ]);
    expect(line!.moreChanges).to.equal(4);
  });

  it('lists up to 20 changes by default', async () => {
    const { logger, lines } = memoryLogger('info');
    const reporter = new LogReporter({ logger });
    const names = Array.from({ length: 25 }, (_, i) => `b${String(i).padStart(2, '0')}`);
    await reporter.report(statusOf(...names.map((n) => check(n, 'healthy'))));

    const [line] = changedLines(lines);
    expect(line!.changes).to.have.length(20);
    expect(line!.moreChanges).to.equal(5);
  });

  describe('periodic summary', () => {
    /**
     * Runs `body` in virtual time up to `untilMs` (a leaked interval cannot hang the
     * test); each log line is stamped with the virtual time it was written at.
     */
    function inVirtualTime(
      body: (vts: VirtualTimeScheduler, reporter: LogReporter) => void,
      untilMs = 200_000,
      summaryIntervalMs?: number,
    ) {
      const vts = new VirtualTimeScheduler(VirtualAction, untilMs);
      const stamped: Array<LogLine & { at: number }> = [];
      const { logger } = memoryLogger('info', (line) => stamped.push({ ...line, at: vts.now() }));
      const reporter = new LogReporter({ logger, scheduler: vts, summaryIntervalMs });
      body(vts, reporter);
      vts.flush();
      return stamped;
    }

    it('logs a summary every interval after start, and stops on stop', () => {
      const lines = inVirtualTime((vts, reporter) => {
        vts.schedule(() => void reporter.start(30_000), 0);
        vts.schedule(
          () => void reporter.report(statusOf(check('a', 'healthy'), check('b', 'unhealthy'))),
          45_000,
        );
        vts.schedule(() => void reporter.stop(), 100_000);
      });

      const summaries = lines.filter((l) => l.msg.startsWith('runtime status summary'));
      expect(summaries.map((l) => l.at)).to.deep.equal([30_000, 60_000, 90_000]);
      expect(summaries[0]).to.include({
        level: LEVEL.info,
        msg: 'runtime status summary: nothing reported yet',
        phase: 'Pending',
      });
      expect(summaries[1]).to.include({
        level: LEVEL.info,
        msg: 'runtime status summary',
        phase: 'Degraded',
        statusMessage: '1/2 backends routable (1 unhealthy), 10 tools',
        configuredBackends: 2,
        backendCount: 1,
        healthyBackends: 1,
        unhealthyBackends: 1,
        totalToolCount: 10,
      });
    });

    it('logs the summary at its own interval when given one', () => {
      const lines = inVirtualTime(
        (vts, reporter) => {
          vts.schedule(() => void reporter.start(1_000), 0);
          vts.schedule(() => void reporter.stop(), 50_000);
        },
        200_000,
        20_000,
      );
      expect(lines.map((l) => l.at)).to.deep.equal([20_000, 40_000]);
    });

    it('logs no summary before start', () => {
      const lines = inVirtualTime((vts, reporter) => {
        vts.schedule(() => void reporter.report(statusOf(check('a', 'healthy'))), 0);
      });
      expect(lines.map((l) => l.msg)).to.deep.equal(['runtime status changed']);
    });

    it('restarts rather than doubles the summary when started twice', () => {
      const lines = inVirtualTime((vts, reporter) => {
        vts.schedule(() => void reporter.start(10_000), 0);
        vts.schedule(() => void reporter.start(10_000), 5_000);
        vts.schedule(() => void reporter.stop(), 36_000);
      });
      expect(lines.map((l) => l.at)).to.deep.equal([15_000, 25_000, 35_000]);
    });
  });
});
