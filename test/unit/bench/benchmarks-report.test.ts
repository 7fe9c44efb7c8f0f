import { expect } from 'chai';
import {
  evaluateTargets,
  quantile,
  renderReport,
  type BenchReport,
} from '../../../bench/benchmarks-report.js';
import type { RunResult } from '../../../bench/run-subject.js';
import { SUBJECTS } from '../../../bench/subjects.js';

const ours = SUBJECTS.find((s) => s.id === 'ours')!;
const toolhive = SUBJECTS.find((s) => s.id === 'toolhive')!;

function run(subject: typeof ours, workload: string, over: Partial<RunResult> = {}): RunResult {
  return {
    subject,
    workload,
    vmcps: 1,
    durationMs: 16_000,
    intervalMs: 2000,
    windowMs: 16_000,
    requests: { byVerb: { 'APPLY/status': 4 }, total: 4, conflicts: 0, cpuSeconds: 1 },
    eventRequests: 0,
    etcdWrites: 4,
    runtimeWrites: 0,
    operatorWrites: 0,
    writerWrites: 0,
    reconciles: 0,
    latenciesMs: [10, 20, 30],
    superseded: 0,
    unseen: 0,
    changes: 3,
    stale: 0,
    errors: [],
    ...over,
  };
}

function report(over: Partial<BenchReport> = {}): BenchReport {
  return {
    command: 'npm run bench',
    date: '2026-12-01T00:00:00Z',
    machine: { CPU: '2 cores' },
    settings: {
      mode: 'quick',
      intervalMs: 2000,
      compression: 15,
      durationMs: 16_000,
      scaleDurationMs: 16_000,
      scaleVmcps: 100,
      scaleIntervalMs: 6000,
      scaleCompression: 5,
      operatorWriteIntervalMs: 250,
      seed: 1,
      statusRefreshMs: undefined,
    },
    timelines: [
      run(ours, 'steady'),
      run(toolhive, 'steady', {
        requests: { byVerb: {}, total: 12, conflicts: 0, cpuSeconds: 1 },
        etcdWrites: 8,
      }),
      run(ours, 'flapping', { runtimeWrites: 9 }),
      run(ours, 'isolated'),
    ],
    scale: [],
    pipeline: [],
    ...over,
  };
}

describe('bench/benchmarks-report', () => {
  it('quantile is nearest-rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).to.equal(2);
    expect(quantile([1, 2, 3, 4], 1)).to.equal(4);
    expect(quantile([], 0.5)).to.be.NaN;
  });

  it('judges each target on the numbers, and says no when one is missed', () => {
    const targets = evaluateTargets(report());
    const met = new Map(targets.map((t) => [t.target.split(' ')[0], t.met]));
    // 9 writes in 16 s at 15×: 9 per 4 real minutes = 2.25/min, under 3.
    for (const word of ['Steady', 'Writes', 'p50', 'Fewer']) expect(met.get(word), word).to.be.true;
    const worse = evaluateTargets(
      report({
        timelines: [
          run(ours, 'steady', { runtimeWrites: 1 }),
          run(toolhive, 'steady', { etcdWrites: 3 }),
          run(ours, 'flapping', { runtimeWrites: 13 }),
          run(ours, 'isolated', { latenciesMs: [60, 70, 80] }),
        ],
      }),
    );
    expect(worse.map((t) => t.met)).to.deep.equal([false, false, false, false]);
  });

  it('renders every run and marks a missed target', () => {
    const text = renderReport(report({ timelines: [run(ours, 'steady', { runtimeWrites: 2 })] }));
    expect(text).to.include('### steady');
    expect(text).to.include('| **no** |');
  });
});
