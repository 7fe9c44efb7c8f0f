import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { K8sReporter } from '../../src/apply/k8s-reporter.js';
import type { RuntimeStatus } from '../../src/types.js';
import { installCrd, readCrd } from '../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../tools/cluster/runtime-identity.js';
import { statusOf } from '../../tools/cluster/status-fixtures.js';
import { waitFor } from '../../tools/cluster/wait-for.js';
import { CountingReporter } from '../support/faults/counting-reporter.js';
import type { FaultCluster } from '../support/faults/fault-cluster.js';
import { mib, settledHeapUsed } from '../support/faults/heap.js';
import { holdsStatus } from '../support/faults/holds-status.js';
import { kubeConfigVia } from '../support/faults/kubeconfig-via.js';
import { vmcpClient } from '../support/k8s/operator-fixtures.js';
import { memoryLogger } from '../support/memory-log.js';

/** The reporter's pacing in this suite: recovery is awaited for one interval plus the longest backoff. */
const INTERVAL_MS = 5_000;
const OPTIONS = { backoff: { initialMs: 200, maxMs: 4_000 }, requestTimeoutMs: 2_000 } as const;
const REPORTS = 10_000;
const BACKENDS = 20;
/** Generous: 10,000 kept statuses of 20 backends would be ~60 MiB. */
const HEAP_GROWTH_BOUND = 20 * 1024 * 1024;

/** Status number `n`: 20 backends, a tool count and check time of its own. */
function statusNumber(n: number): RuntimeStatus {
  const backends = Array.from(
    { length: BACKENDS },
    (_, i) => [`backend-${String(i).padStart(2, '0')}`, 'healthy', i === 0 ? n : 10] as const,
  );
  return statusOf(backends, new Date(Date.UTC(2026, 11, 1) + n * 1000));
}

/** One fault: how it begins, and how it ends (resolving once it is over). */
interface Fault {
  readonly name: string;
  /** Which way the reporter reaches the apiserver. */
  readonly via: 'proxy' | 'front';
  /** Whether writes fail while it lasts (so the fallback must hear of them). */
  readonly writesFail: boolean;
  begin(object: string): Promise<void>;
  end(object: string): Promise<void>;
  /** The longest wait the server may ask for (Retry-After), if longer than the backoff. */
  readonly retryAfterMs?: number;
  /** How long the fault lasts after the reports (default: no longer than they take). */
  readonly holdMs?: number;
  /** Write through a write Lease (as with replicas) of this term, so it runs out mid-fault. */
  readonly leaseMs?: number;
}

/** The reporter's side of the fault suite (issue 14 item 3). */
export function describeReporterFaults(cluster: FaultCluster): void {
  const reporters: K8sReporter[] = [];
  let vmcps: ReturnType<typeof vmcpClient>;

  before(() => {
    vmcps = vmcpClient(cluster.admin, cluster.namespace);
  });
  afterEach(async () => {
    cluster.proxy.set('pass');
    cluster.front.pass();
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
  });

  const read = async (name: string) => (await vmcps.read(name)).status;

  /** A reporter for `name` acting as its runtime ServiceAccount, through the proxy or the front. */
  const reporterFor = async (name: string, via: 'proxy' | 'front', leaseMs?: number) => {
    const direct: KubeConfig = await runtimeIdentity(cluster.plane, cluster.namespace, name);
    const fallback = new CountingReporter();
    const log = memoryLogger('info');
    const reporter = new K8sReporter({
      kubeConfig: kubeConfigVia(direct, via === 'proxy' ? cluster.proxy.url : cluster.front.url),
      ref: { name, namespace: cluster.namespace },
      logger: log.logger,
      fallback,
      ...OPTIONS,
      ...(leaseMs !== undefined
        ? { writeLease: { identity: `${name}-0`, durationMs: leaseMs } }
        : {}),
    });
    reporters.push(reporter);
    await reporter.start(INTERVAL_MS);
    return { reporter, fallback, log };
  };

  /**
   * 10,000 statuses while the fault lasts (numbered from `first`), in bursts; resolves
   * with the last when every report has settled.
   */
  const reportWhileDown = async (reporter: K8sReporter, first = 1): Promise<RuntimeStatus> => {
    let settled = 0;
    let last = statusNumber(first);
    for (let n = first; n < first + REPORTS; n++) {
      last = statusNumber(n);
      void reporter.report(last).then(() => settled++);
      // Statuses come in bursts faster than writes can fail: most replace a waiting one.
      if (n % 100 === 0) await sleep(1);
    }
    // A write in flight ends within the request timeout, and every later status either
    // replaces the waiting one or waits for the backoff: all settle well within this.
    const settleMs = OPTIONS.requestTimeoutMs + OPTIONS.backoff.maxMs + INTERVAL_MS;
    await waitFor(
      `every report to settle within ${String(settleMs)} ms while the API is down`,
      () => settled === REPORTS,
      settleMs,
    );
    return last;
  };

  /** The scenario every fault runs: steady state, fault, 10,000 reports, recovery. */
  const survives = async (fault: Fault): Promise<void> => {
    const name = `faults-${fault.name.replace(/[^a-z0-9]+/g, '-')}`.slice(0, 50).replace(/-$/, '');
    await vmcps.create(name);
    const { reporter, fallback } = await reporterFor(name, fault.via, fault.leaseMs);
    const first = statusNumber(0);
    await reporter.report(first);
    // The scenario before this one may have left the apiserver answering errors for a
    // moment (etcd's restart ends when this object is readable, not every resource):
    // a failed first write is retried, and the fault starts once it landed.
    await waitFor(
      'the first status before the fault',
      async () => holdsStatus(await read(name), first),
      OPTIONS.requestTimeoutMs + OPTIONS.backoff.maxMs + INTERVAL_MS,
      50,
    );

    await fault.begin(name);
    const heapBefore = await settledHeapUsed();
    let last = await reportWhileDown(reporter);
    const heapAfter = await settledHeapUsed();
    const growth = heapAfter - heapBefore;
    console.log(
      `      heap: ${fault.name}: ${mib(heapBefore)} MiB before, ${mib(heapAfter)} MiB after ${String(REPORTS)} reports (${growth >= 0 ? '+' : ''}${mib(growth)} MiB)`,
    );
    expect(growth, 'heap growth over 10,000 reports while the API is down').to.be.below(
      HEAP_GROWTH_BOUND,
    );
    if (fault.writesFail) expect(fallback.count, 'statuses given to the fallback').to.be.above(0);
    if (fault.holdMs !== undefined) {
      // Statuses keep coming in a long fault, after every retry so far has failed.
      await sleep(fault.holdMs);
      last = await reportWhileDown(reporter, REPORTS + 1);
    }

    await fault.end(name);
    const ended = performance.now();
    // One report interval plus the longest backoff, both as the reporter was given them.
    const budgetMs = INTERVAL_MS + Math.max(OPTIONS.backoff.maxMs, fault.retryAfterMs ?? 0);
    await waitFor(
      `the last derived status on the server within ${String(budgetMs)} ms after: ${fault.name}`,
      async () => holdsStatus(await read(name), last),
      budgetMs,
      20,
    );
    console.log(
      `      recovery: ${fault.name} ${String(Math.round(performance.now() - ended))} ms`,
    );
    expect(cluster.rejections, 'unhandled rejections').to.deep.equal([]);
  };

  const proxyFault = (
    name: string,
    mode: 'drop' | 'reset' | 'blackhole' | 'delay',
    writesFail = true,
    holdMs?: number,
  ): Fault => ({
    name,
    via: 'proxy',
    writesFail,
    ...(holdMs !== undefined ? { holdMs } : {}),
    begin: () => {
      cluster.proxy.set(mode, { delayMs: 250 });
      return Promise.resolve();
    },
    end: () => {
      cluster.proxy.set('pass');
      return Promise.resolve();
    },
  });

  it('network drop: every connection closed, new ones too', async () => {
    await survives(proxyFault('network drop', 'drop'));
  });

  it('a long network drop: retries at the backoff cap, the latest lands within one cap', async () => {
    // 20 s: long enough for the backoff (200 ms doubling, capped at 4 s) to reach its cap.
    await survives(proxyFault('network drop held 20 s', 'drop', true, 20_000));
  });

  it('connection reset: every connection reset (RST), new ones too', async () => {
    await survives(proxyFault('connection reset', 'reset'));
  });

  it('blackhole: connections accepted, nothing forwarded or answered', async () => {
    await survives(proxyFault('blackhole', 'blackhole'));
  });

  it('blackhole with a write Lease (replicas): the Lease is asked for again mid-fault', async () => {
    // A 1 s term runs out during the fault, so the retries ask for the Lease again
    // through the blackhole before they may write.
    await survives({
      ...proxyFault('blackhole with the write Lease', 'blackhole'),
      leaseMs: 1_000,
      holdMs: 3_000,
    });
  });

  it('slow responses: every chunk delayed 250 ms both ways', async () => {
    await survives(proxyFault('slow responses', 'delay', false));
  });

  it('the apiserver process restarted (etcd keeps the data)', async () => {
    await survives({
      name: 'apiserver restart',
      via: 'proxy',
      writesFail: true,
      begin: () => cluster.plane.stopApiserver(),
      end: () => cluster.plane.startApiserver(),
    });
  });

  it('etcd restarted (the apiserver stays up and answers errors meanwhile)', async function () {
    this.timeout(5 * 60_000);
    await survives({
      name: 'etcd restart',
      via: 'proxy',
      writesFail: true,
      begin: () => cluster.plane.stopEtcd(),
      end: async (name) => {
        const started = performance.now();
        await cluster.plane.startEtcd();
        const etcdBack = performance.now();
        await cluster.plane.waitApiserverReady();
        const ready = performance.now();
        // /readyz checks the apiserver's etcd connection, not this resource's storage:
        // the reporter can do nothing before the object can be read from etcd again (a
        // GET without resourceVersion reads etcd), so the clock starts then.
        await waitFor('the object readable from etcd again', () => vmcps.read(name), 180_000, 50);
        const ms = (t: number) => String(Math.round(t - etcdBack));
        console.log(
          `      etcd restart: etcd healthy after ${String(Math.round(etcdBack - started))} ms, then /readyz after ${ms(ready)} ms, the object readable after ${ms(performance.now())} ms`,
        );
      },
    });
  });

  it('a 429 storm with Retry-After: no request before the server said, the latest lands', async () => {
    const retryAfterSeconds = 1;
    await survives({
      name: '429 storm',
      via: 'front',
      writesFail: true,
      retryAfterMs: retryAfterSeconds * 1000,
      begin: () => {
        cluster.front.throttle(Infinity, retryAfterSeconds);
        return Promise.resolve();
      },
      end: () => {
        const storm = cluster.front.requests.filter((r) => r.code === 429);
        const patches = storm.filter((r) => r.method === 'PATCH');
        expect(patches.length, 'status writes answered 429').to.be.above(0);
        // Retry-After honoured: one status write per second of storm at most, however
        // many statuses arrived (10,000 in bursts), plus the first. (950: a timer may
        // fire a millisecond early; a write per burst would be some 20 a second.)
        const spanMs = (patches.at(-1)?.at ?? 0) - (patches[0]?.at ?? 0);
        expect(patches.length, 'status writes in the storm').to.be.at.most(
          Math.floor(spanMs / (retryAfterSeconds * 950)) + 1,
        );
        cluster.front.pass();
        return Promise.resolve();
      },
    });
  });

  it('the object deleted and recreated with a new UID', async () => {
    let uid = '';
    await survives({
      name: 'object recreated',
      via: 'proxy',
      writesFail: false,
      begin: async (name) => {
        uid = (await vmcps.read(name)).metadata.uid;
        await vmcps.delete(name);
      },
      end: async (name) => {
        const created = await vmcps.create(name);
        expect(created.metadata.uid).to.not.equal(uid);
      },
    });
  });

  it('the CRD deleted and reinstalled (and the object created again)', async function () {
    this.timeout(5 * 60_000);
    const crds = cluster.admin.makeApiClient(ApiextensionsV1Api);
    const crdName = readCrd().metadata?.name ?? '';
    await survives({
      name: 'CRD reinstalled',
      via: 'proxy',
      writesFail: false,
      begin: async () => {
        await crds.deleteCustomResourceDefinition({ name: crdName });
        await waitFor(
          'the CRD to be gone',
          async () => {
            try {
              await crds.readCustomResourceDefinition({ name: crdName });
              return false;
            } catch (err) {
              return (err as { code?: number }).code === 404;
            }
          },
          120_000,
          200,
        );
      },
      end: async (name) => {
        await installCrd(cluster.admin);
        await vmcps.create(name);
      },
    });
  });
}
