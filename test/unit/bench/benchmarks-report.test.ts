import { expect } from 'chai';
import {
  evaluateTargets,
  quantile,
  renderReport,
  type BenchReport,
} from '../../../bench/benchmarks-report.js';
import type { ImportRow } from '../../../bench/import-cost.js';
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
    latenciesMs: ms(32, 25),
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
      isolatedDurationMs: 32_000,
      isolatedVmcps: 3,
      latencySamples: 36,
      importRuns: 15,
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
    latency: {
      floor: samples(floorMs),
      urgent: { ...samples(ms(30, 22)), objects: 10, reportIntervalMs: 30_000 },
    },
    pipeline: [],
    imports: [
      importRow('(bare node)', 0, 50),
      importRow('rxjs', 60, 80),
      importRow('vmcp-status', 292, 190),
      importRow('vmcp-status/log', 282, 180),
    ],
    ...over,
  };
}

/** `n` latencies 0.1 ms apart whose nearest-rank median is `p50` (sorted, as the runner gives them). */
function ms(n: number, p50: number): number[] {
  return Array.from({ length: n }, (_, i) => p50 + (i - (Math.ceil(n / 2) - 1)) * 0.1);
}

const floorMs = ms(36, 20);

function samples(latenciesMs: number[]) {
  return { latenciesMs, unseen: 0, bodyBytes: 2000 };
}

function importRow(entry: string, modules: number, time: number): ImportRow {
  return {
    entry,
    modules,
    kubernetesModules: 0,
    ms: time,
    rssMiB: 50,
    timeVsBare: time / 50,
    rssVsBare: 1,
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
    expect(targets.map((t) => t.target.split(' ')[0])).to.deep.equal([
      'Steady',
      'Writes',
      'p50',
      'p50',
      'A',
      'Fewer',
    ]);
    // 9 writes in 16 s at 15×: 9 per 4 real minutes = 2.25/min, under the budget of
    // 2 paced + 2 urgent + (1 + 3) / 4 = 5 a minute; 25 ms and 22 ms
    // against a floor of 20 ms: 1.25× and 1.1×.
    expect(targets.map((t) => t.met)).to.deep.equal([true, true, true, true, true, true]);
    const worse = evaluateTargets(
      report({
        timelines: [
          run(ours, 'steady', { runtimeWrites: 1 }),
          run(toolhive, 'steady', { etcdWrites: 3 }),
          // 21 per 4 real minutes: 5.25/min, over the budget of 5.
          run(ours, 'flapping', { runtimeWrites: 21 }),
          run(ours, 'isolated', { latenciesMs: ms(40, 31) }),
        ],
        latency: {
          floor: samples(floorMs),
          urgent: { ...samples(ms(29, 20)), objects: 10, reportIntervalMs: 30_000 },
        },
        imports: [
          importRow('(bare node)', 0, 50),
          importRow('vmcp-status', 301, 190),
          importRow('vmcp-status/log', 282, 201),
        ],
      }),
    );
    // 31 ms is 1.55× the floor; the urgent lane is fast but has 29 samples, too few to judge.
    expect(worse.map((t) => t.met)).to.deep.equal([false, false, false, false, false, false]);
    expect(worse[3]?.measured).to.include('too few samples');
  });

  it('renders every run and marks a missed target', () => {
    const text = renderReport(report({ timelines: [run(ours, 'steady', { runtimeWrites: 2 })] }));
    expect(text).to.include('### steady');
    expect(text).to.include('| **no** |');
  });

  it('sets every latency row beside the floor, and the import rows with rxjs alone', () => {
    const text = renderReport(report());
    expect(text).to.include(
      '| Floor: a bare server-side apply, PATCH to watch event | 36 | 20.0 |',
    );
    expect(text).to.match(
      /\| vmcp-status: isolated change \(interval 2 s\) \| 32 \| 25\.0 \| [\d.]+ \| 1\.25× \|/,
    );
    expect(text).to.match(
      /phase change right after a detail change \(interval 30 s, the urgent lane\) \| 30 \| 22\.0 \|/,
    );
    expect(text).to.include('| `rxjs` | 60 | 0 | 80.0 | 1.60 |');
  });
});
