import { expect } from 'chai';
import { Subject } from 'rxjs';
import { reportStatus } from '../../../src/reactive/report-status.js';
import type { ReportOutcome, Reporter } from '../../../src/reporter.js';
import type { RuntimeStatus } from '../../../src/types.js';

/** A status told apart from others by its message. */
function status(message: string): RuntimeStatus {
  return {
    phase: 'Ready',
    message,
    backends: [],
    totalToolCount: 0,
    healthyBackends: 0,
    unhealthyBackends: 0,
    backendCount: 0,
    conditions: [],
  };
}

/** A reporter whose reports finish only when the test says so. */
class GatedReporter implements Reporter {
  readonly reported: string[] = [];
  readonly gates: Array<PromiseWithResolvers<undefined>> = [];
  inFlight = 0;
  maxInFlight = 0;

  async report(s: RuntimeStatus): Promise<ReportOutcome> {
    this.reported.push(s.message);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const gate = Promise.withResolvers<undefined>();
    this.gates.push(gate);
    try {
      await gate.promise;
      return 'applied';
    } finally {
      this.inFlight--;
    }
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Finishes report number `i` and lets the next one start. */
  async finish(i: number, err?: Error): Promise<void> {
    const gate = this.gates[i];
    if (gate === undefined) throw new Error(`report ${i} never started`);
    if (err === undefined) gate.resolve(undefined);
    else gate.reject(err);
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tracks whether a promise settled, and how. */
function track(promise: Promise<void>) {
  const state: { done: boolean; error: unknown } = { done: false, error: undefined };
  promise.then(
    () => (state.done = true),
    (err: unknown) => {
      state.done = true;
      state.error = err;
    },
  );
  return state;
}

describe('reportStatus', () => {
  it('reports the newest status only while a report is in flight, without holding up the stream', async () => {
    const reporter = new GatedReporter();
    const status$ = new Subject<RuntimeStatus>();
    const done = reportStatus(status$, reporter);

    status$.next(status('a'));
    for (const m of ['b', 'c', 'd']) status$.next(status(m)); // returns while 'a' is in flight
    expect(reporter.reported).to.deep.equal(['a']);

    await reporter.finish(0);
    expect(reporter.reported).to.deep.equal(['a', 'd']);
    status$.next(status('e'));
    await reporter.finish(1);
    await reporter.finish(2);
    status$.complete();
    await done;
    expect(reporter.reported).to.deep.equal(['a', 'd', 'e']);
    expect(reporter.maxInFlight).to.equal(1);
  });

  it('sends the last pending status when the stream completes, then resolves', async () => {
    const reporter = new GatedReporter();
    const status$ = new Subject<RuntimeStatus>();
    const state = track(reportStatus(status$, reporter));

    status$.next(status('a'));
    status$.next(status('b'));
    status$.complete();
    await settle();
    expect(state.done).to.equal(false);

    await reporter.finish(0);
    expect(reporter.reported).to.deep.equal(['a', 'b']);
    expect(state.done).to.equal(false);
    await reporter.finish(1);
    expect(state).to.deep.equal({ done: true, error: undefined });
  });

  it('stops on abort: unsubscribes, sends the pending status, then resolves', async () => {
    const reporter = new GatedReporter();
    const status$ = new Subject<RuntimeStatus>();
    const abort = new AbortController();
    const state = track(reportStatus(status$, reporter, { signal: abort.signal }));

    status$.next(status('a'));
    status$.next(status('b'));
    abort.abort();
    expect(status$.observed).to.equal(false);
    status$.next(status('after abort'));
    await settle();
    expect(state.done).to.equal(false);

    await reporter.finish(0);
    await reporter.finish(1);
    expect(reporter.reported).to.deep.equal(['a', 'b']);
    expect(state).to.deep.equal({ done: true, error: undefined });
  });

  it('resolves without reporting when the signal is already aborted', async () => {
    const reporter = new GatedReporter();
    const status$ = new Subject<RuntimeStatus>();
    await reportStatus(status$, reporter, { signal: AbortSignal.abort() });
    expect(status$.observed).to.equal(false);
    expect(reporter.reported).to.deep.equal([]);
  });

  it('passes a failed report to onError and goes on reporting', async () => {
    const reporter = new GatedReporter();
    const status$ = new Subject<RuntimeStatus>();
    const errors: unknown[] = [];
    const done = reportStatus(status$, reporter, { onError: (err) => errors.push(err) });
    const boom = new Error('apiserver said no');

    status$.next(status('a'));
    status$.next(status('b'));
    await reporter.finish(0, boom);
    expect(errors).to.deep.equal([boom]);
    expect(reporter.reported).to.deep.equal(['a', 'b']);

    await reporter.finish(1);
    status$.next(status('c'));
    status$.complete();
    await reporter.finish(2);
    await done;
    expect(reporter.reported).to.deep.equal(['a', 'b', 'c']);
    expect(errors).to.have.length(1);
  });

  it('rejects with the stream error, but only after the pending status was sent', async () => {
    const reporter = new GatedReporter();
    const status$ = new Subject<RuntimeStatus>();
    const state = track(reportStatus(status$, reporter));
    const broken = new Error('pipeline broke');

    status$.next(status('a'));
    status$.next(status('b'));
    status$.error(broken);
    await reporter.finish(0);
    expect(state.done).to.equal(false);
    await reporter.finish(1);
    expect(reporter.reported).to.deep.equal(['a', 'b']);
    expect(state).to.deep.equal({ done: true, error: broken });
  });

  it('wraps a stream error that is not an Error', async () => {
    const status$ = new Subject<RuntimeStatus>();
    const done = reportStatus(status$, new GatedReporter());
    status$.error('plain text');
    let caught: unknown;
    try {
      await done;
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(Error);
    expect((caught as Error).message).to.equal('plain text');
  });
});
