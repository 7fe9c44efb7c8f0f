import { expect } from 'chai';
import { CircuitBreaker } from '../../../src/runtime/circuit-breaker.js';

describe('CircuitBreaker', function () {
  it('starts closed and allows probes', function () {
    const breaker = new CircuitBreaker();
    expect(breaker.state).to.equal('closed');
    expect(breaker.allowProbe(0)).to.equal(true);
    expect(breaker.lastChanged).to.equal(undefined);
  });

  it('opens after failureThreshold consecutive failures, not before', function () {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openTimeoutMs: 100 });
    breaker.recordFailure(1);
    breaker.recordFailure(2);
    expect(breaker.state).to.equal('closed');
    breaker.recordFailure(3);
    expect(breaker.state).to.equal('open');
    expect(breaker.lastChanged).to.deep.equal(new Date(3));
  });

  it('a success resets the failure count', function () {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    breaker.recordFailure(1);
    breaker.recordSuccess(2);
    breaker.recordFailure(3);
    expect(breaker.state).to.equal('closed');
  });

  it('allows no probe while open, then turns half-open after the open timeout', function () {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openTimeoutMs: 100 });
    breaker.recordFailure(10);
    expect(breaker.allowProbe(50)).to.equal(false);
    expect(breaker.remainingOpenMs(50)).to.equal(60);
    expect(breaker.allowProbe(109)).to.equal(false);
    expect(breaker.allowProbe(110)).to.equal(true);
    expect(breaker.state).to.equal('half-open');
    expect(breaker.lastChanged).to.deep.equal(new Date(110));
    expect(breaker.remainingOpenMs(110)).to.equal(0);
  });

  it('half-open: a successful trial closes it, a failed one reopens it', function () {
    const closing = new CircuitBreaker({ failureThreshold: 1, openTimeoutMs: 100 });
    closing.recordFailure(0);
    closing.allowProbe(100);
    closing.recordSuccess(101);
    expect(closing.state).to.equal('closed');
    expect(closing.lastChanged).to.deep.equal(new Date(101));

    const reopening = new CircuitBreaker({ failureThreshold: 5, openTimeoutMs: 100 });
    for (let t = 0; t < 5; t++) reopening.recordFailure(t);
    reopening.allowProbe(200);
    reopening.recordFailure(201);
    expect(reopening.state).to.equal('open', 'one failed trial is enough');
    expect(reopening.allowProbe(250)).to.equal(false);
  });

  it('validates its options, naming them', function () {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).to.throw(/failureThreshold/);
    expect(() => new CircuitBreaker({ openTimeoutMs: -1 })).to.throw(/openTimeoutMs/);
  });
});
