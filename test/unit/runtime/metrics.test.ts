import { expect } from 'chai';
import { StatusMetrics } from '../../../src/runtime/metrics.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

/** The value of one series in the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('StatusMetrics', function () {
  it('pre-creates every labelled series at 0', async function () {
    const text = await new StatusMetrics({ defaultMetrics: false }).expose();
    for (const status of ['healthy', 'degraded', 'unhealthy', 'unauthenticated', 'unknown']) {
      expect(sample(text, `vmcp_status_backends{status="${status}"}`)).to.equal(0);
    }
    for (const outcome of ['applied', 'unchanged', 'conflated', 'failed']) {
      expect(sample(text, `vmcp_status_reports_total{outcome="${outcome}"}`)).to.equal(0);
    }
    expect(sample(text, 'vmcp_status_pending_writes')).to.equal(0);
    expect(sample(text, 'vmcp_status_probes_total{result="timeout"}')).to.equal(0);
    expect(sample(text, 'vmcp_status_phase{phase="Ready"}')).to.equal(0);
    expect(text).to.include('vmcp_status_apply_duration_seconds_bucket');
  });

  it('counts backends by status and sets the phase, with no per-backend label', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const checks = [check('a', 'healthy'), check('b', 'healthy'), check('c', 'unhealthy')];
    metrics.observeStatus(deriveRuntimeStatus(statesOf(checks), ['a', 'b', 'c'], new Date(0)));
    const text = await metrics.expose();
    expect(sample(text, 'vmcp_status_backends{status="healthy"}')).to.equal(2);
    expect(sample(text, 'vmcp_status_backends{status="unhealthy"}')).to.equal(1);
    expect(sample(text, 'vmcp_status_phase{phase="Degraded"}')).to.equal(1);
    expect(sample(text, 'vmcp_status_phase{phase="Ready"}')).to.equal(0);
    expect(text).not.to.match(/backend="|name="a"/);
  });

  it('counts probes by result and observes their duration', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    metrics.observeProbe(check('a', 'healthy', { latencyMs: 20 }));
    metrics.observeProbe(check('a', 'unhealthy', { errorCategory: 'timeout', latencyMs: 10_000 }));
    const text = await metrics.expose();
    expect(sample(text, 'vmcp_status_probes_total{result="healthy"}')).to.equal(1);
    expect(sample(text, 'vmcp_status_probes_total{result="timeout"}')).to.equal(1);
    expect(sample(text, 'vmcp_status_probe_latency_seconds_count')).to.equal(2);
  });

  it('gives reporters that meter themselves hooks into the same metrics', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    metrics.reporterHooks.reportOutcome('applied');
    metrics.reporterHooks.applyLatency(0.2);
    metrics.reporterHooks.pendingWrites(2);
    const text = await metrics.expose();
    expect(sample(text, 'vmcp_status_reports_total{outcome="applied"}')).to.equal(1);
    expect(sample(text, 'vmcp_status_apply_duration_seconds_count')).to.equal(1);
    expect(sample(text, 'vmcp_status_pending_writes')).to.equal(2);
  });

  it('includes the standard process metrics by default', async function () {
    const text = await new StatusMetrics().expose();
    expect(text).to.include('process_cpu_seconds_total');
    expect(text).to.include('nodejs_eventloop_lag_seconds');
  });
});
