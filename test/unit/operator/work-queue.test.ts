import { expect } from 'chai';
import { ItemExponentialRateLimiter } from '../../../src/operator/rate-limiter.js';
import { WorkQueue, type QueueTimers } from '../../../src/operator/work-queue.js';

/** Timers on a manual clock: `advance` fires what is due, in order. */
function manualTimers(): QueueTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort(([, a], [, b]) => a.at - b.at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}

describe('ItemExponentialRateLimiter', () => {
  it('waits 5 ms, then doubles per consecutive failure up to 1000 s; forget starts over', () => {
    const limiter = new ItemExponentialRateLimiter<string>();
    const delays = Array.from({ length: 5 }, () => limiter.when('a'));
    expect(delays).to.deep.equal([5, 10, 20, 40, 80]);
    expect(limiter.when('b')).to.equal(5);
    for (let i = 0; i < 40; i++) limiter.when('a');
    expect(limiter.when('a')).to.equal(1_000_000);
    expect(limiter.numRequeues('a')).to.equal(46);
    limiter.forget('a');
    expect(limiter.when('a')).to.equal(5);
  });

  it('rejects a cap below the base delay', () => {
    expect(() => new ItemExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 })).to.throw(
      /maxDelayMs/,
    );
  });
});

describe('WorkQueue', () => {
  it('de-duplicates a key added many times before a worker takes it', async () => {
    const queue = new WorkQueue<string>();
    for (let i = 0; i < 100; i++) queue.add('ns/a');
    queue.add('ns/b');
    expect(queue.length).to.equal(2);
    expect(await queue.get()).to.equal('ns/a');
    expect(await queue.get()).to.equal('ns/b');
    expect(queue.length).to.equal(0);
  });

  it('never hands out a key that is being processed; re-adds it once when done', async () => {
    const queue = new WorkQueue<string>();
    queue.add('ns/a');
    const key = await queue.get();
    queue.add('ns/a');
    queue.add('ns/a');
    expect(queue.length, 'held back while processing').to.equal(0);
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).to.equal(undefined);
    queue.done(key!);
    await Promise.resolve();
    expect(second).to.equal('ns/a');
    queue.done('ns/a');
    expect(queue.length).to.equal(0);
  });

  it('hands a key straight to a waiting worker', async () => {
    const queue = new WorkQueue<string>();
    const taken = queue.get();
    queue.add('ns/a');
    expect(await taken).to.equal('ns/a');
  });

  it('addAfter keeps the earliest pending time per key', () => {
    const timers = manualTimers();
    const queue = new WorkQueue<string>({ timers });
    queue.addAfter('ns/a', 1000);
    queue.addAfter('ns/a', 100);
    queue.addAfter('ns/a', 5000);
    expect(timers.pending()).to.equal(1);
    timers.advance(99);
    expect(queue.length).to.equal(0);
    timers.advance(1);
    expect(queue.length).to.equal(1);
    timers.advance(10_000);
    expect(queue.length, 'later times were dropped').to.equal(1);
  });

  it('addRateLimited backs off exponentially per key until forget', async () => {
    const timers = manualTimers();
    const queue = new WorkQueue<string>({ timers, baseDelayMs: 10 });
    const readyAfter = async (): Promise<number> => {
      queue.addRateLimited('ns/a');
      let waited = 0;
      while (queue.length === 0 && waited < 10_000) {
        timers.advance(1);
        waited++;
      }
      queue.done((await queue.get())!);
      return waited;
    };
    const delays = [await readyAfter(), await readyAfter(), await readyAfter()];
    expect(delays).to.deep.equal([10, 20, 40]);
    expect(queue.numRequeues('ns/a')).to.equal(3);
    queue.forget('ns/a');
    expect(await readyAfter()).to.equal(10);
  });

  it('shutDown releases waiting workers and drops delayed keys', async () => {
    const timers = manualTimers();
    const queue = new WorkQueue<string>({ timers });
    const waiting = queue.get();
    queue.addAfter('ns/a', 10);
    queue.shutDown();
    expect(await waiting).to.equal(undefined);
    expect(timers.pending()).to.equal(0);
    queue.add('ns/b');
    expect(await queue.get()).to.equal(undefined);
  });

  it('reports its depth', async () => {
    const depths: number[] = [];
    const queue = new WorkQueue<string>({ onDepth: (d) => depths.push(d) });
    queue.add('a');
    queue.add('b');
    await queue.get();
    expect(depths).to.deep.equal([1, 2, 1]);
  });
});
