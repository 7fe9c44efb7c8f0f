import { expect } from 'chai';
import { BackendHealthTracker } from '../../../src/runtime/backend-health-tracker.js';
import { results } from '../../support/mcp/scripted-prober.js';

const backend = { name: 'x', url: 'http://127.0.0.1:1/mcp' };

describe('BackendHealthTracker', function () {
  it('keeps the last known tool count through failures', function () {
    const tracker = new BackendHealthTracker(backend);
    tracker.record(results.ok(9), 0);
    const event = tracker.record(results.fail(), 1);
    expect(event).to.include({ status: 'healthy', toolCount: 9, consecutiveFailures: 1 });
    expect(event.errorCategory).to.equal('connection_failed');
    expect(event.errorDetail).to.equal('raw detail');
  });

  it('clears the error category and detail on success', function () {
    const tracker = new BackendHealthTracker(backend);
    tracker.record(results.fail(), 0);
    const event = tracker.record(results.ok(), 1);
    expect(event.errorCategory).to.equal(undefined);
    expect(event.errorDetail).to.equal(undefined);
  });

  it('an unauthenticated backend is no failure and resets the count', function () {
    const tracker = new BackendHealthTracker(backend, { unhealthyThreshold: 2 });
    tracker.record(results.fail(), 0);
    const event = tracker.record(results.unauth(), 1);
    expect(event).to.include({ status: 'unauthenticated', consecutiveFailures: 0 });
  });

  it('a failure without a category counts as health_check_failed', function () {
    const tracker = new BackendHealthTracker(backend);
    const event = tracker.record({ outcome: 'failed', latencyMs: 1 }, 0);
    expect(event.errorCategory).to.equal('health_check_failed');
  });

  it('an opening circuit makes the backend unhealthy even below the threshold', function () {
    const tracker = new BackendHealthTracker(backend, {
      unhealthyThreshold: 10,
      circuitBreaker: { failureThreshold: 2, openTimeoutMs: 100 },
    });
    tracker.record(results.ok(), 0);
    expect(tracker.record(results.fail(), 1).status).to.equal('healthy');
    const event = tracker.record(results.fail(), 2);
    expect(event).to.include({ status: 'unhealthy', circuitBreakerState: 'open' });
    expect(tracker.allowProbe(50)).to.equal(false);
    expect(tracker.nextProbeDelayMs(50, 10)).to.equal(52);
    expect(tracker.nextProbeDelayMs(50, 200)).to.equal(200);
  });

  it('without a circuit breaker, events carry no circuit fields', function () {
    const event = new BackendHealthTracker(backend).record(results.ok(), 0);
    expect(event).not.to.have.property('circuitBreakerState');
  });
});
