import { expect } from 'chai';
import { BehaviorSubject, of } from 'rxjs';
import { ConfigError } from '../../../src/errors.js';
import type { ReportOutcome, Reporter } from '../../../src/reporter.js';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
  type ScriptedMcpServerOptions,
} from '../../../src/demo/scripted-mcp-server.js';
import { StatusMetrics } from '../../../src/runtime/metrics.js';
import {
  startStatusReporting,
  type StatusReportingHandle,
  type StatusReportingOptions,
} from '../../../src/runtime/start-status-reporting.js';
import type { RuntimeStatus } from '../../../src/types.js';
import { Collected } from '../../support/mcp/collect.js';
import { eventually } from '../../support/mcp/eventually.js';

/** Remembers every call, in order. */
class RecordingReporter implements Reporter {
  readonly reported: RuntimeStatus[] = [];
  readonly calls: string[] = [];
  startError: Error | undefined;
  /** Runs before `start` settles. */
  beforeStart: () => Promise<void> = () => Promise.resolve();

  report(status: RuntimeStatus): Promise<ReportOutcome> {
    this.reported.push(status);
    this.calls.push(`report:${status.phase}`);
    return Promise.resolve('applied');
  }
  async start(intervalMs: number): Promise<void> {
    this.calls.push(`start:${intervalMs}`);
    await this.beforeStart();
    if (this.startError !== undefined) throw this.startError;
  }
  stop(): Promise<void> {
    this.calls.push('stop');
    return Promise.resolve();
  }
  get last(): RuntimeStatus | undefined {
    return this.reported[this.reported.length - 1];
  }
}

const statusOf = (status: RuntimeStatus | undefined, name: string) =>
  status?.backends.find((b) => b.name === name)?.status;

describe('startStatusReporting with real MCP servers on loopback', function () {
  const servers: ScriptedMcpServer[] = [];
  const handles: StatusReportingHandle[] = [];

  afterEach(async function () {
    await Promise.all(handles.splice(0).map((h) => h.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(options: ScriptedMcpServerOptions = {}): Promise<ScriptedMcpServer> {
    const server = await startScriptedMcpServer(options);
    servers.push(server);
    return server;
  }

  function start(
    options: Partial<StatusReportingOptions> &
      Pick<StatusReportingOptions, 'backends$' | 'reporter'>,
  ) {
    const handle = startStatusReporting({
      reportIntervalMs: 100,
      monitor: { probeIntervalMs: 50, probeTimeoutMs: 2_000 },
      ...options,
    });
    handles.push(handle);
    return handle;
  }

  it('reports the first status once every backend was checked, and its changes', async function () {
    const [a, b] = await Promise.all([serve({ tools: 4 }), serve({ mode: 'unauthorized' })]);
    const reporter = new RecordingReporter();
    const handle = start({
      backends$: of([
        { name: 'a', url: a.url },
        { name: 'b', url: b.url },
      ]),
      reporter,
    });
    await eventually(() => reporter.reported.length > 0);
    expect(reporter.calls[0]).to.equal('start:100');
    const first = reporter.reported[0]!;
    expect(first).to.include({ phase: 'Ready', backendCount: 2, totalToolCount: 4 });
    expect(first.backends.map((x) => [x.name, x.status])).to.deep.equal([
      ['a', 'healthy'],
      ['b', 'unauthenticated'],
    ]);

    a.mode = 'unavailable';
    await eventually(() => statusOf(reporter.last, 'a') === 'unhealthy');
    expect(reporter.last).to.include({ phase: 'Degraded', unhealthyBackends: 1 });

    const late = new Collected(handle.status$);
    await late.next((s) => s === reporter.last, { what: 'the latest status, replayed' });
    late.unsubscribe();
  });

  it('does not report again while nothing changes', async function () {
    const a = await serve();
    const reporter = new RecordingReporter();
    // A probe that times out is a change (a failure counted): on a loaded machine a
    // loopback answer may take seconds, so the timeout is far above any answer here.
    const handle = start({
      backends$: of([{ name: 'a', url: a.url }]),
      reporter,
      monitor: { probeIntervalMs: 50, probeTimeoutMs: 30_000 },
    });
    const health = new Collected(handle.health$);
    await eventually(() => reporter.reported.length > 0);
    const before = reporter.reported.length;
    await eventually(() => health.values.length >= 10, { what: 'ten more probes' });
    health.unsubscribe();
    expect(reporter.reported.length).to.equal(before);
  });

  it('adds and removes backends at run time', async function () {
    const [a, b] = await Promise.all([serve(), serve({ tools: 7 })]);
    const backends$ = new BehaviorSubject<readonly BackendConfig[]>([{ name: 'a', url: a.url }]);
    const reporter = new RecordingReporter();
    start({ backends$, reporter });
    await eventually(() => reporter.last?.backends.length === 1);

    backends$.next([
      { name: 'a', url: a.url },
      { name: 'b', url: b.url },
    ]);
    await eventually(() => reporter.last?.backends.length === 2);
    expect(reporter.last?.totalToolCount).to.equal(10);

    backends$.next([{ name: 'b', url: b.url }]);
    await eventually(() => reporter.last?.backends.length === 1);
    expect(reporter.last?.backends[0]?.name).to.equal('b');
    await eventually(() => a.sessionCount === 0, { what: 'the removed backend’s session to end' });
  });

  it('stop() reports the status still held back by the interval, then stops the reporter', async function () {
    const a = await serve();
    const reporter = new RecordingReporter();
    const handle = start({
      backends$: of([{ name: 'a', url: a.url }]),
      reporter,
      reportIntervalMs: 3_600_000,
      // No urgent lane: the phase change waits for the interval like a detail change.
      urgentBurst: 0,
      monitor: { probeIntervalMs: 50, unhealthyThreshold: 1 },
    });
    const health = new Collected(handle.health$);
    await eventually(() => reporter.reported.length === 1);
    a.mode = 'unavailable';
    await health.next((e) => e.status === 'unhealthy');
    expect(reporter.reported.length).to.equal(1, 'the interval holds the change back');

    await handle.stop();
    expect(statusOf(reporter.last, 'a')).to.equal('unhealthy');
    expect(reporter.calls.slice(-2)).to.deep.equal(['report:Failed', 'stop']);
    expect(health.completed).to.equal(true);
    await handle.done;
  });

  it('keeps metrics current', async function () {
    const [a, b] = await Promise.all([serve(), serve({ mode: 'unavailable' })]);
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const reporter = new RecordingReporter();
    start({
      backends$: of([
        { name: 'a', url: a.url },
        { name: 'b', url: b.url },
      ]),
      reporter,
      metrics,
      monitor: { probeIntervalMs: 50, unhealthyThreshold: 1 },
    });
    await eventually(() => statusOf(reporter.last, 'b') === 'unhealthy');
    const text = await metrics.expose();
    expect(text).to.include('vmcp_status_backends{status="healthy"} 1');
    expect(text).to.include('vmcp_status_backends{status="unhealthy"} 1');
    expect(text).to.match(/vmcp_status_reports_total\{outcome="applied"\} [1-9]/);
    expect(text).to.match(/vmcp_status_probes_total\{result="backend_unavailable"\} [1-9]/);
  });

  it('rejects done when the reporter cannot start, and stops probing', async function () {
    const a = await serve();
    const reporter = new RecordingReporter();
    reporter.startError = new Error('forbidden');
    // The reporter fails to start only once the backend has a session.
    reporter.beforeStart = () => eventually(() => a.sessionCount === 1);
    const handle = start({ backends$: of([{ name: 'a', url: a.url }]), reporter });
    const err = await handle.done.catch((e: unknown) => e);
    expect(err).to.equal(reporter.startError);
    await eventually(() => a.sessionCount === 0, { what: 'probing to stop' });
    expect(reporter.reported).to.deep.equal([]);
  });

  it('validates the interval', function () {
    expect(() =>
      startStatusReporting({
        backends$: of([]),
        reporter: new RecordingReporter(),
        reportIntervalMs: Number.NaN,
      }),
    ).to.throw(ConfigError, /reportIntervalMs/);
  });
});
