import { expect } from 'chai';
import type { BackendHealthEvent } from '../../../src/types.js';
import { BackendHealthModel } from '../../../src/runtime/backend-health-model.js';
import { callFailureOf, type CallOutcome } from '../../../src/runtime/call-outcome.js';
import { results } from '../../support/mcp/scripted-prober.js';

const github = { name: 'github', url: 'http://127.0.0.1:1/mcp' };
const jira = {
  name: 'jira',
  url: 'http://127.0.0.1:2/mcp',
  headers: { Authorization: 'Bearer t' },
};

/** A model on a clock the test moves, and every event it emits. */
function model(options: ConstructorParameters<typeof BackendHealthModel>[0] = {}) {
  let now = 0;
  const health = new BackendHealthModel({ ...options, now: () => now });
  health.setBackends([github, jira]);
  const events: BackendHealthEvent[] = [];
  health.events$.subscribe((e) => events.push(e));
  return {
    health,
    events,
    tick(ms = 1) {
      now += ms;
    },
    statuses: () => events.map((e) => `${e.name}:${e.status}`),
  };
}

const timeout: CallOutcome = { kind: 'timeout' };

describe('BackendHealthModel', function () {
  it('counts probes and real calls against one threshold', function () {
    const m = model({ unhealthyThreshold: 3 });
    m.health.recordProbe('github', results.ok(4));
    m.health.recordCall('github', timeout);
    m.health.recordProbe('github', results.fail());
    const third = m.health.recordCall('github', { kind: 'transport' });
    expect(third).to.include({ status: 'unhealthy', consecutiveFailures: 3 });
    expect(third?.errorCategory).to.equal('connection_failed');
    expect(m.statuses()).to.deep.equal([
      'github:healthy',
      'github:healthy',
      'github:healthy',
      'github:unhealthy',
    ]);
    // The tool count is the last a probe knew; calls carry it on.
    expect(third?.toolCount).to.equal(4);
  });

  it('a call the backend answered is a success, and recovery passes through degraded', function () {
    const m = model({ unhealthyThreshold: 1 });
    m.health.recordCall('github', { kind: 'http', status: 503 });
    expect(m.health.health('github')?.status).to.equal('unhealthy');
    m.health.recordCall('github', { kind: 'success' });
    expect(m.health.health('github')).to.include({ status: 'degraded', consecutiveFailures: 0 });
    m.health.recordCall('github', { kind: 'success' });
    expect(m.health.health('github')?.status).to.equal('healthy');
  });

  it('a failure below the threshold keeps the previous status; unknown when there was none', function () {
    const m = model();
    expect(m.health.recordCall('github', timeout)).to.include({
      status: 'unknown',
      errorCategory: 'timeout',
    });
    m.health.recordCall('github', { kind: 'success' });
    expect(m.health.recordCall('github', timeout)?.status).to.equal('healthy');
  });

  it('a slow ping keeps a backend degraded until a fast one; a call says nothing about speed', function () {
    const m = model();
    m.health.recordProbe('github', results.slow());
    m.health.recordCall('github', { kind: 'success', latencyMs: 1 });
    expect(m.health.health('github')?.status).to.equal('degraded');
    m.health.recordProbe('github', results.ok());
    expect(m.health.health('github')?.status).to.equal('healthy');
  });

  it('401 is unauthenticated without credentials and a failure with them', function () {
    const m = model({ unhealthyThreshold: 1 });
    expect(m.health.recordCall('github', { kind: 'http', status: 401 })?.status).to.equal(
      'unauthenticated',
    );
    expect(m.health.recordCall('jira', { kind: 'http', status: 403 })).to.include({
      status: 'unhealthy',
      errorCategory: 'authentication_failed',
    });
  });

  it('opens the circuit on calls too, and then lets no traffic through until the trial probe', function () {
    const m = model({
      unhealthyThreshold: 10,
      circuitBreaker: { failureThreshold: 2, openTimeoutMs: 1_000 },
    });
    m.health.recordCall('github', timeout);
    expect(m.health.allowsTraffic('github')).to.equal(true);
    const opened = m.health.recordCall('github', timeout);
    expect(opened).to.include({ status: 'unhealthy', circuitBreakerState: 'open' });
    expect(m.health.allowsTraffic('github')).to.equal(false);
    expect(m.health.allowProbe('github')).to.equal(false);
    m.tick(1_000);
    expect(m.health.allowProbe('github')).to.equal(true, 'half-open: the trial probe');
    m.health.recordProbe('github', results.ok());
    expect(m.health.allowsTraffic('github')).to.equal(true);
  });

  it('ignores backends it was not given, and forgets or restarts them as the list changes', function () {
    const m = model({ unhealthyThreshold: 1 });
    expect(m.health.recordCall('nope', timeout)).to.equal(undefined);
    expect(m.health.allowsTraffic('nope')).to.equal(false);
    m.health.recordCall('github', timeout);
    m.health.setBackends([{ ...github, url: 'http://127.0.0.1:3/mcp' }]);
    expect(m.health.health('github')).to.equal(undefined, 'a new url starts over');
    expect(m.health.backendNames).to.deep.equal(['github']);
    expect(m.health.recordCall('jira', timeout)).to.equal(undefined, 'removed');
  });

  it('a late subscriber starts from the latest event of every backend', function () {
    const m = model();
    m.health.recordProbe('github', results.ok());
    m.health.recordProbe('jira', results.fail());
    m.health.recordProbe('github', results.ok(7));
    const late: string[] = [];
    m.health.events$.subscribe((e) => late.push(`${e.name}:${e.toolCount}`));
    expect(late).to.deep.equal(['github:7', 'jira:0']);
  });

  it('keeps raw error text out of every event but the debug detail, scrubbed', function () {
    const m = model();
    const event = m.health.recordProbe('github', {
      outcome: 'failed',
      errorCategory: 'protocol_error',
      errorDetail: 'GET http://user:secret@host/mcp\nfailed',
      latencyMs: 1,
    });
    expect(event?.errorDetail).to.not.include('secret');
    expect(event?.errorDetail).to.not.include('\n');
  });
});

describe('callFailureOf', function () {
  it('maps each outcome to its category, success to none', function () {
    const table: Array<[CallOutcome, string | undefined]> = [
      [{ kind: 'success' }, undefined],
      [{ kind: 'timeout' }, 'timeout'],
      [{ kind: 'transport' }, 'connection_failed'],
      [{ kind: 'protocol' }, 'protocol_error'],
      [{ kind: 'http', status: 401 }, 'authentication_failed'],
      [{ kind: 'http', status: 429 }, 'backend_unavailable'],
      [{ kind: 'http', status: 502 }, 'backend_unavailable'],
      [{ kind: 'http', status: 404 }, 'protocol_error'],
    ];
    for (const [outcome, category] of table) {
      expect(callFailureOf(outcome)?.category, JSON.stringify(outcome)).to.equal(category);
    }
  });
});
