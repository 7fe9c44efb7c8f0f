import { expect } from 'chai';
import { MeteredReporter } from '../../../src/runtime/metered-reporter.js';
import { StatusMetrics } from '../../../src/runtime/metrics.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import type { ReportOutcome, Reporter } from '../../../src/reporter.js';
import type { RuntimeStatus } from '../../../src/types.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

function status(...names: string[]): RuntimeStatus {
  return deriveRuntimeStatus(statesOf(names.map((n) => check(n, 'healthy'))), names, new Date(0));
}

async function counts(metrics: StatusMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await metrics.expose()).split('\n')) {
    const m = /^vmcp_status_(reports_total\{outcome="(\w+)"\}|pending_writes) (\S+)$/.exec(line);
    if (m) out[m[2] ?? 'pending'] = Number(m[3]);
  }
  return out;
}

class RecordingReporter implements Reporter {
  readonly reported: RuntimeStatus[] = [];
  constructor(
    private readonly answer: () => Promise<ReportOutcome> = () => Promise.resolve('applied'),
  ) {}
  async report(s: RuntimeStatus): Promise<ReportOutcome> {
    this.reported.push(s);
    return this.answer();
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

describe('MeteredReporter', function () {
  it('counts each outcome the reporter resolves with, and a rejection as failed', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const answers: Array<ReportOutcome | Error> = ['applied', 'unchanged', 'deferred', 'applied'];
    answers.push(new Error('down'));
    const inner = new RecordingReporter(() => {
      const next = answers.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next ?? 'applied');
    });
    const metered = new MeteredReporter(inner, metrics);
    const outcomes: ReportOutcome[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await metered.report(status('a')));
    await metered.report(status('a')).catch(() => undefined);
    expect(outcomes).to.deep.equal(['applied', 'unchanged', 'deferred', 'applied']);
    // Every outcome's series exists, at 0 when it never happened.
    expect(await counts(metrics)).to.deep.equal({
      applied: 2,
      unchanged: 1,
      conflated: 0,
      deferred: 1,
      failed: 1,
      pending: 0,
    });
  });

  it('counts offered statuses that never reached the reporter as conflated', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const metered = new MeteredReporter(new RecordingReporter(), metrics);
    const [s1, s2, s3, s4] = [status('a'), status('b'), status('c'), status('d')];
    metered.offered(s1);
    await metered.report(s1);
    metered.offered(s2);
    metered.offered(s3);
    metered.offered(s4);
    expect((await counts(metrics)).pending).to.equal(1, 'one waiting');
    await metered.report(s4);
    const result = await counts(metrics);
    expect(result).to.include({ applied: 2, conflated: 2, pending: 0 });
  });

  it('shows a report in flight as a pending write', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    let release = (): void => undefined;
    const inner = new RecordingReporter(
      () =>
        new Promise<ReportOutcome>((resolve) => {
          release = () => {
            resolve('applied');
          };
        }),
    );
    const metered = new MeteredReporter(inner, metrics);
    const s = status('a');
    metered.offered(s);
    const reporting = metered.report(s);
    expect((await counts(metrics)).pending).to.equal(1);
    release();
    await reporting;
    expect((await counts(metrics)).pending).to.equal(0);
  });

  it('leaves outcomes to a reporter that meters itself, but still counts conflation', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const metered = new MeteredReporter(new RecordingReporter(), metrics, { innerMeters: true });
    const [s1, s2] = [status('a'), status('b')];
    metered.offered(s1);
    metered.offered(s2);
    await metered.report(s2);
    expect(await counts(metrics)).to.include({ applied: 0, conflated: 1 });
  });
});
