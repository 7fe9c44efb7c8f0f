import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Controller, type ReconcileResult } from '../../../src/operator/controller.js';
import { TerminalError, type Request, type Result } from '../../../src/operator/reconcile.js';
import { memoryLogger } from '../../support/memory-log.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';

/** A reconciler whose behaviour each test scripts, recording what it was asked. */
function scripted(handle: (request: Request, call: number) => Promise<Result>) {
  const calls: Array<{ key: string; at: number }> = [];
  let running = new Map<string, number>();
  let maxSameKey = 0;
  return {
    calls,
    get maxSameKey() {
      return maxSameKey;
    },
    reconcile: async (request: Request): Promise<Result> => {
      const key = `${request.namespace}/${request.name}`;
      calls.push({ key, at: performance.now() });
      running.set(key, (running.get(key) ?? 0) + 1);
      maxSameKey = Math.max(maxSameKey, running.get(key) ?? 0);
      try {
        return await handle(request, calls.length);
      } finally {
        running = new Map(running.set(key, (running.get(key) ?? 1) - 1));
      }
    },
  };
}

describe('Controller', () => {
  const controllers: Controller[] = [];
  const start = (options: ConstructorParameters<typeof Controller>[0]): Controller => {
    const controller = new Controller({ logger: memoryLogger('silent').logger, ...options });
    controllers.push(controller);
    controller.start();
    return controller;
  };
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.stop()));
  });

  it('reconciles each enqueued key; keys enqueued many times while waiting run once', async () => {
    const reconciler = scripted(async () => {
      await sleep(20);
      return {};
    });
    const results: ReconcileResult[] = [];
    const controller = start({
      name: 't',
      reconciler,
      onReconcile: (r) => results.push(r),
    });
    controller.enqueue({ namespace: 'ns', name: 'a' });
    // 'a' is now being reconciled; these pile onto one pending reconcile.
    await sleep(5);
    for (let i = 0; i < 50; i++) controller.enqueue({ namespace: 'ns', name: 'a' });
    controller.enqueue({ namespace: 'ns', name: 'b' });
    await waitFor('three reconciles', () => controller.reconcileCount === 3);
    await sleep(50);
    expect(reconciler.calls.map((c) => c.key).sort()).to.deep.equal(['ns/a', 'ns/a', 'ns/b']);
    expect(results).to.deep.equal(['success', 'success', 'success']);
  });

  it('never runs two reconciles of one key at once, even with several workers', async () => {
    const reconciler = scripted(async () => {
      await sleep(5);
      return {};
    });
    const controller = start({ name: 't', reconciler, concurrency: 4 });
    for (let i = 0; i < 30; i++) {
      controller.enqueue({ namespace: 'ns', name: 'a' });
      controller.enqueue({ namespace: 'ns', name: `other-${i % 3}` });
      await sleep(2);
    }
    await waitFor('the queue to drain', async () => {
      const before = controller.reconcileCount;
      await sleep(30);
      return controller.reconcileCount === before;
    });
    expect(reconciler.maxSameKey).to.equal(1);
  });

  it('requeues a failing key with exponential backoff, and forgets it after a success', async () => {
    const reconciler = scripted((_request, call) =>
      call <= 4 ? Promise.reject(new Error('apiserver said 500')) : Promise.resolve({}),
    );
    const log = memoryLogger('warn');
    const results: ReconcileResult[] = [];
    const controller = start({
      name: 't',
      reconciler,
      baseDelayMs: 20,
      logger: log.logger,
      onReconcile: (r) => results.push(r),
    });
    controller.enqueue({ namespace: 'ns', name: 'a' });
    await waitFor('five reconciles', () => controller.reconcileCount === 5, 5000);
    expect(results).to.deep.equal(['error', 'error', 'error', 'error', 'success']);
    const gaps = reconciler.calls.slice(1).map((c, i) => c.at - (reconciler.calls[i]?.at ?? 0));
    // 20, 40, 80, 160 ms: each wait at least its backoff (timers never fire early).
    gaps.forEach((gap, i) => {
      expect(gap, `gap ${i}`).to.be.at.least(20 * 2 ** i - 2);
    });
    expect(
      log.lines.filter((l) => l.msg === 'reconcile failed: retrying with backoff'),
    ).to.have.length(4);
    expect(log.lines.at(-1)?.retries).to.equal(4);
  });

  it('does not retry a TerminalError', async () => {
    const reconciler = scripted(() => Promise.reject(new TerminalError('bad spec')));
    const results: ReconcileResult[] = [];
    const controller = start({
      name: 't',
      reconciler,
      baseDelayMs: 1,
      onReconcile: (r) => results.push(r),
    });
    controller.enqueue({ namespace: 'ns', name: 'a' });
    await waitFor('one reconcile', () => controller.reconcileCount === 1);
    await sleep(100);
    expect(results).to.deep.equal(['terminal_error']);
  });

  it('honours requeueAfterMs', async () => {
    const reconciler = scripted((_request, call) =>
      Promise.resolve(call === 1 ? { requeueAfterMs: 50 } : {}),
    );
    const results: ReconcileResult[] = [];
    const controller = start({ name: 't', reconciler, onReconcile: (r) => results.push(r) });
    controller.enqueue({ namespace: 'ns', name: 'a' });
    await waitFor('two reconciles', () => controller.reconcileCount === 2);
    expect(results).to.deep.equal(['requeue_after', 'success']);
    const [first, second] = reconciler.calls;
    expect(second!.at - first!.at).to.be.at.least(48);
  });

  it('stop waits for the running reconcile and aborts its signal', async () => {
    let aborted = false;
    const controller = start({
      name: 't',
      reconciler: {
        reconcile: async (_request, signal) => {
          await sleep(50);
          aborted = signal.aborted;
          return {};
        },
      },
    });
    controller.enqueue({ namespace: 'ns', name: 'a' });
    await sleep(10);
    await controller.stop();
    expect(aborted).to.equal(true);
    expect(controller.reconcileCount).to.equal(1);
  });

  it('rejects a concurrency below 1', () => {
    expect(
      () =>
        new Controller({
          name: 't',
          reconciler: scripted(() => Promise.resolve({})),
          concurrency: 0,
        }),
    ).to.throw(/concurrency/);
  });
});
