import { expect } from 'chai';
import { CONFLATED, LatestWinsQueue } from '../../../src/reactive/latest-wins-queue.js';

/** A write that records what it was given and finishes only when the test says so. */
function blockingWrite() {
  const started: string[] = [];
  const gates: Array<PromiseWithResolvers<string>> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (value: string): Promise<string> => {
    started.push(value);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const gate = Promise.withResolvers<string>();
    gates.push(gate);
    try {
      return await gate.promise;
    } finally {
      inFlight--;
    }
  };
  return {
    write,
    started,
    gates,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/** Lets queued microtasks (p-queue starting the next task) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LatestWinsQueue', () => {
  it('runs one write at a time', async () => {
    const w = blockingWrite();
    const queue = new LatestWinsQueue(w.write);
    const a = queue.push('a');
    const b = queue.push('b');
    await settle();
    expect(w.started).to.deep.equal(['a']);

    w.gates[0]!.resolve('wrote a');
    expect(await a).to.equal('wrote a');
    await settle();
    expect(w.started).to.deep.equal(['a', 'b']);
    w.gates[1]!.resolve('wrote b');
    expect(await b).to.equal('wrote b');
    expect(w.maxInFlight).to.equal(1);
  });

  it('writes only the newest waiting value and resolves the replaced ones as CONFLATED', async () => {
    const w = blockingWrite();
    const queue = new LatestWinsQueue(w.write);
    const a = queue.push('a');
    const b = queue.push('b');
    const c = queue.push('c');
    const d = queue.push('d');
    expect(queue.waiting).to.equal('d');
    expect(await b).to.equal(CONFLATED);
    expect(await c).to.equal(CONFLATED);

    w.gates[0]!.resolve('wrote a');
    await settle();
    w.gates[1]!.resolve('wrote d');
    expect(await a).to.equal('wrote a');
    expect(await d).to.equal('wrote d');
    expect(w.started).to.deep.equal(['a', 'd']);
    expect(queue.waiting).to.equal(undefined);
  });

  it('keeps memory bounded: size never above 2 for 10k pushes while a write is blocked', async () => {
    const w = blockingWrite();
    const queue = new LatestWinsQueue(w.write);
    const results: Array<Promise<string>> = [];
    let maxSize = 0;
    for (let i = 0; i < 10_000; i++) {
      results.push(queue.push(`v${i}`));
      maxSize = Math.max(maxSize, queue.size);
    }
    expect(maxSize).to.equal(2);
    expect(queue.size).to.equal(2);
    expect(queue.waiting).to.equal('v9999');

    w.gates[0]!.resolve('first');
    await settle();
    w.gates[1]!.resolve('last');
    await queue.onIdle();
    expect(w.started).to.deep.equal(['v0', 'v9999']);
    expect(queue.size).to.equal(0);
    const settled = await Promise.all(results);
    expect(settled[0]).to.equal('first');
    expect(settled[9_999]).to.equal('last');
    expect(settled.slice(1, 9_999).every((r) => r === CONFLATED)).to.equal(true);
  });

  it('rejects the waiter of a failed write and goes on with the next value', async () => {
    const w = blockingWrite();
    const queue = new LatestWinsQueue(w.write);
    const a = queue.push('a');
    const b = queue.push('b');
    const boom = new Error('write failed');
    w.gates[0]!.reject(boom);
    let caught: unknown;
    try {
      await a;
    } catch (err) {
      caught = err;
    }
    expect(caught).to.equal(boom);

    await settle();
    w.gates[1]!.resolve('wrote b');
    expect(await b).to.equal('wrote b');
  });

  it('is idle at once when nothing was pushed, and after the last write otherwise', async () => {
    const w = blockingWrite();
    const queue = new LatestWinsQueue(w.write);
    await queue.onIdle();
    void queue.push('a');
    let idle = false;
    void queue.onIdle().then(() => (idle = true));
    await settle();
    expect(idle).to.equal(false);
    w.gates[0]!.resolve('wrote a');
    await settle();
    expect(idle).to.equal(true);
  });
});
