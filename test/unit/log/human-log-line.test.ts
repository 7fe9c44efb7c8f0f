import { expect } from 'chai';
import { humanLogLine } from '../../../src/human-log-line.js';

const AT = Date.UTC(2026, 11, 4, 19, 7, 9);
const base = { level: 30, time: AT, pid: 1, hostname: 'vm', component: 'log-reporter' };
const counts = { configuredBackends: 3, backendCount: 2, healthyBackends: 2, totalToolCount: 16 };

describe('humanLogLine (the pretty log format)', function () {
  it('writes a status change as time, phase, healthy/total, tools and what changed', function () {
    const line = humanLogLine(
      {
        ...base,
        ...counts,
        msg: 'runtime status changed',
        phase: 'Degraded',
        previousPhase: 'Ready',
        statusMessage: '2/3 backends routable (1 unhealthy), 16 tools',
        changes: [
          {
            name: 'search',
            kind: 'changed',
            from: 'healthy',
            to: 'unhealthy',
            toolCount: 6,
            errorCategory: 'backend_unavailable',
          },
          { name: 'wiki', kind: 'added', to: 'healthy', toolCount: 3 },
          { name: 'old', kind: 'removed', from: 'healthy' },
        ],
        moreChanges: 2,
      },
      { utc: true },
    );
    expect(line).to.equal(
      '19:07:09 Degraded 2/3 healthy  16 tools  search healthy → unhealthy (backend_unavailable), wiki added healthy, old removed, 2 more',
    );
  });

  it('writes a summary and an empty summary on one line each', function () {
    expect(
      humanLogLine(
        { ...base, ...counts, msg: 'runtime status summary', phase: 'Failed' },
        { utc: true },
      ),
    ).to.equal('19:07:09 Failed   2/3 healthy  16 tools  (summary)');
    expect(
      humanLogLine(
        { ...base, msg: 'runtime status summary: nothing reported yet', phase: 'Pending' },
        { utc: true },
      ),
    ).to.equal('19:07:09 Pending  (summary: nothing reported yet)');
  });

  it('writes a demo step as what comes next and for how long', function () {
    expect(
      humanLogLine(
        {
          ...base,
          component: 'demo',
          msg: 'demo step',
          phase: 'Degraded',
          note: 'search is down (503)',
          forDuration: '15s',
          cycle: 0,
        },
        { utc: true },
      ),
    ).to.equal('19:07:09 demo     next Degraded for 15s: search is down (503)');
  });

  it("writes a backend's health change and the demo's commands on one line each", function () {
    expect(
      humanLogLine(
        {
          ...base,
          component: 'monitor',
          msg: 'backend health changed',
          backend: 'search',
          status: 'unhealthy',
          previousStatus: 'healthy',
          errorCategory: 'timeout',
          latencyMs: 5000,
        },
        { utc: true },
      ),
    ).to.equal('19:07:09 backend  search healthy → unhealthy (timeout)');
    expect(
      humanLogLine(
        { ...base, component: 'demo', msg: 'demo: watch it', command: 'kubectl get vmcpst -w' },
        { utc: true },
      ),
    ).to.equal('19:07:09 demo     watch it: kubectl get vmcpst -w');
  });

  it('writes any other record as level, message and key=value fields, errors by message', function () {
    expect(
      humanLogLine(
        {
          ...base,
          level: 40,
          component: 'k8s-reporter',
          msg: 'Kubernetes API unreachable',
          attempt: 2,
          reason: 'connect refused',
          err: { type: 'Error', message: 'connect ECONNREFUSED', stack: 'Error: …' },
          ids: ['a', 'b'],
        },
        { utc: true },
      ),
    ).to.equal(
      '19:07:09 warn     Kubernetes API unreachable  component=k8s-reporter  attempt=2  reason="connect refused"  err="connect ECONNREFUSED"  ids=["a","b"]',
    );
  });

  it('colours phases and levels only when asked', function () {
    const record = { ...base, ...counts, msg: 'runtime status summary', phase: 'Ready' };
    expect(humanLogLine(record, { utc: true })).not.to.include('\u001b[');
    expect(humanLogLine(record, { utc: true, color: true })).to.include(
      '\u001b[32mReady   \u001b[0m',
    );
  });

  it('writes local time unless told UTC', function () {
    const local = new Date(AT);
    const hh = String(local.getHours()).padStart(2, '0');
    expect(humanLogLine({ ...base, msg: 'x' })).to.match(new RegExp(`^${hh}:07:09 info`));
  });
});
