import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { VMCP_KIND, VMCP_PLURAL } from '../src/apply/vmcp-resource.js';
import { OperatorMetrics } from '../src/operator/operator-metrics.js';
import { VmcpOperator } from '../src/operator/vmcp-operator.js';
import type { ControlPlane } from '../tools/cluster/control-plane.js';
import { waitFor } from '../tools/cluster/wait-for.js';
import { parseApiserverMetrics, requestDelta, type RequestDelta } from './apiserver-metrics.js';
import { OursOperatorWriter } from './ours-operator-writer.js';
import { OursRuntime } from './ours-runtime.js';
import { StatusWatch, etcdRevision, wallNow } from './status-watch.js';
import type { CrdKind, Subject } from './subjects.js';
import type { Timeline } from './timelines.js';
import { createVmcps } from './vmcp-objects.js';
import { ToolhiveBaseline, type BaselineSummary } from './toolhive-baseline.js';

const EVENTS = { group: 'events.k8s.io', resource: 'events' } as const;

/** Where the benchmarks run: one apiserver, both CRDs installed. */
export interface BenchContext {
  readonly plane: ControlPlane;
  readonly admin: KubeConfig;
  /** The apiVersion of each CRD on this apiserver. */
  readonly apiVersions: Readonly<Record<CrdKind, string>>;
  /** The Go baseline's binary (bench/toolhive-baseline.ts). */
  readonly baselineBinary: string;
}

/** One run: a subject, its objects each replaying a timeline. */
export interface Workload {
  /** Names the namespace, e.g. `steady` or `scale`. */
  readonly name: string;
  /** One per VirtualMCPServer. */
  readonly timelines: readonly Timeline[];
  readonly intervalMs: number;
  readonly durationMs: number;
  /**
   * `writer`: the operator writes one of its own conditions every
   * `operatorWriteIntervalMs` (conflicts); `real`: this project's VmcpOperator runs
   * in-process (ToolHive's projection runs either way).
   */
  readonly operator: 'writer' | 'real';
  readonly operatorWriteIntervalMs: number;
  /** Our runtime's status refresh (compressed like the intervals); 0 is off. */
  readonly statusRefreshMs: number;
}

/** What one run measured, over the window from the start of the replay to its end. */
export interface RunResult {
  readonly subject: Subject;
  readonly workload: string;
  readonly vmcps: number;
  readonly durationMs: number;
  /** The (compressed) report interval of the run. */
  readonly intervalMs: number;
  /** The measured window, ms: the scripted duration plus how late the end snapshots came. */
  readonly windowMs: number;
  /** The resource's requests, from kube-apiserver's own metrics. */
  readonly requests: RequestDelta;
  /** Requests on `events.k8s.io` Events meanwhile (our reporter records phase changes). */
  readonly eventRequests: number;
  /** New resourceVersions seen by a watch: writes that reached etcd. */
  readonly etcdWrites: number;
  /** Status writes by the runtime(s) the server accepted. */
  readonly runtimeWrites: number;
  /** Status writes by the operator: its own fields, and ToolHive's projection. */
  readonly operatorWrites: number;
  /** Of those, the operator's own periodic condition writes (the same number on each side). */
  readonly writerWrites: number;
  /** Reconciles of the operator in the window: ours must not reconcile on status writes. */
  readonly reconciles: number | undefined;
  /** Change-to-visible latencies of every status change, ms, sorted. */
  readonly latenciesMs: readonly number[];
  readonly superseded: number;
  readonly unseen: number;
  readonly changes: number;
  /** Share of backend-time the top-level status showed a backend otherwise than the runtime knew it. */
  readonly stale: number;
  readonly errors: readonly string[];
}

/**
 * Runs one subject on one workload in a namespace of its own: creates the objects,
 * starts the operator side and the runtime(s), waits until every object shows its
 * first status and one more interval, then replays the timelines and measures.
 */
export async function runSubject(
  ctx: BenchContext,
  subject: Subject,
  workload: Workload,
): Promise<RunResult> {
  const namespace = `${subject.id}-${workload.name}`;
  const apiVersion = ctx.apiVersions[subject.crd];
  const names = workload.timelines.map((_, i) => `vmcp-${String(i).padStart(3, '0')}`);
  const resource = await createVmcps(ctx.admin, apiVersion, namespace, names);
  const { group, version } = resource;
  const watch = await StatusWatch.start(ctx.admin, resource);
  const stop = new AbortController();
  const background: Array<Promise<void>> = [];
  const errors: string[] = [];
  let operator: { instance: VmcpOperator; metrics: OperatorMetrics } | undefined;
  let writer: OursOperatorWriter | undefined;
  let baseline: ToolhiveBaseline | undefined;
  let runtimes: OursRuntime[] = [];
  try {
    if (subject.operator === 'ours' && workload.operator === 'real') {
      const metrics = new OperatorMetrics({ defaultMetrics: false });
      const instance = new VmcpOperator({
        kubeConfig: ctx.admin,
        namespace,
        apiVersion,
        logger: pino({ level: 'silent' }),
        metrics,
      });
      await instance.start();
      operator = { instance, metrics };
    }
    if (subject.runtime === 'toolhive' || subject.operator === 'toolhive') {
      baseline = await ToolhiveBaseline.start(ctx.baselineBinary, {
        kubeconfig: ctx.plane.kubeconfigPath,
        group,
        version,
        resource: VMCP_PLURAL,
        kind: VMCP_KIND,
        namespace,
        roles: {
          reporter: subject.runtime === 'toolhive',
          projection: subject.operator === 'toolhive',
          operatorWriter: subject.operator === 'toolhive' && workload.operator === 'writer',
        },
        reportIntervalMs: workload.intervalMs,
        operatorWriteIntervalMs: workload.operatorWriteIntervalMs,
        vmcps: names.map((name, timeline) => ({ name, timeline })),
        timelines: workload.timelines.map(({ backends, initial, events }) => ({
          backends,
          initial,
          events,
        })),
      });
    }
    if (subject.runtime === 'ours') {
      runtimes = await Promise.all(
        names.map((name, i) =>
          OursRuntime.start({
            kubeConfig: ctx.admin,
            namespace,
            name,
            apiVersion,
            timeline: workload.timelines[i] ?? (workload.timelines[0] as Timeline),
            intervalMs: workload.intervalMs,
            statusRefreshMs: workload.statusRefreshMs,
            ...(subject.reporter !== undefined ? { reporter: subject.reporter } : {}),
          }),
        ),
      );
    }
    // Every object shows its first status (all backends ready) at the top level.
    await waitFor(
      `the first status of ${namespace}`,
      () => {
        watch.check();
        return names.every((name, i) =>
          watch.shows(
            name,
            new Map((workload.timelines[i]?.backends ?? []).map((b) => [b.name, 'ready'])),
          ),
        );
      },
      120_000,
      100,
    );
    if (operator !== undefined) {
      // Settled: every object reconciled, then a second without another reconcile.
      const { instance } = operator;
      await waitFor(
        'the operator to reconcile every object',
        () => instance.reconcileCount >= names.length,
        120_000,
      );
      for (let last = -1; last !== instance.reconcileCount;) {
        last = instance.reconcileCount;
        await sleep(1000);
      }
    }
    if (subject.operator === 'ours' && workload.operator === 'writer') {
      writer = new OursOperatorWriter(ctx.admin, namespace, names, apiVersion);
      const running = writer.run(workload.operatorWriteIntervalMs, stop.signal);
      background.push(running.catch((err: unknown) => void errors.push(String(err))));
    }
    await sleep(workload.intervalMs + 300);

    // The window: from the snapshots before the replay to the snapshots after it, taken
    // together, so a late timer on a busy machine shifts them all alike.
    const startMs = Math.round(wallNow() + 300);
    baseline?.start(startMs);
    const [textBefore, revisionBefore] = await Promise.all([
      ctx.plane.metrics(),
      etcdRevision(ctx.admin),
    ]);
    const windowStart = wallNow();
    const writerBefore = writer?.counts.writes ?? 0;
    const appliedBefore = runtimes.reduce((n, r) => n + r.applied, 0);
    const reconcilesBefore = operator?.instance.reconcileCount;
    for (const runtime of runtimes) background.push(runtime.replay(startMs, stop.signal));
    const endMs = startMs + workload.durationMs;
    await sleep(endMs - wallNow());
    const [textAfter, revisionAfter, marked] = await Promise.all([
      ctx.plane.metrics(),
      etcdRevision(ctx.admin),
      baseline?.mark(),
    ]);
    const windowEnd = wallNow();
    const runtimeApplied = runtimes.reduce((n, r) => n + r.applied, 0) - appliedBefore;
    const writerWrites = (writer?.counts.writes ?? 0) - writerBefore;
    const reconciles =
      reconcilesBefore === undefined
        ? undefined
        : (operator?.instance.reconcileCount ?? 0) - reconcilesBefore;
    const measured = { group, resource: VMCP_PLURAL };
    const requests = requestDelta(
      parseApiserverMetrics(textBefore, measured),
      parseApiserverMetrics(textAfter, measured),
    );
    const eventRequests = requestDelta(
      parseApiserverMetrics(textBefore, EVENTS),
      parseApiserverMetrics(textAfter, EVENTS),
    ).total;
    // Changes near the end still get the time to show, for the latencies only.
    await sleep(workload.intervalMs + 1000);
    watch.check();

    stop.abort();
    const summary: BaselineSummary | undefined = await baseline?.stop();
    baseline = undefined;
    await Promise.all(background);
    const counts = marked?.counts ?? {};
    errors.push(...(summary?.errors ?? []));
    const visibility = names.map((name, i) =>
      watch.visibility(name, workload.timelines[i]?.changes ?? [], startMs),
    );
    return {
      subject,
      workload: workload.name,
      vmcps: names.length,
      durationMs: workload.durationMs,
      intervalMs: workload.intervalMs,
      windowMs: windowEnd - windowStart,
      requests,
      eventRequests,
      etcdWrites: watch.writesBetween(revisionBefore, revisionAfter),
      runtimeWrites:
        subject.runtime === 'ours'
          ? runtimeApplied
          : (counts.runtimeUpdates ?? 0) - (counts.runtimeConflicts ?? 0),
      operatorWrites: writerWrites + (counts.projectionPatches ?? 0) + (counts.writerPatches ?? 0),
      writerWrites: writerWrites + (counts.writerPatches ?? 0),
      reconciles:
        reconciles ?? (subject.operator === 'toolhive' ? (counts.reconciles ?? 0) : undefined),
      latenciesMs: visibility.flatMap((v) => v.latenciesMs).sort((a, b) => a - b),
      superseded: visibility.reduce((n, v) => n + v.superseded, 0),
      unseen: visibility.reduce((n, v) => n + v.unseen, 0),
      changes: workload.timelines.reduce((n, t) => n + t.changes.length, 0),
      stale:
        names.reduce(
          (sum, name, i) =>
            sum +
            watch.staleness(
              name,
              workload.timelines[i] ?? (workload.timelines[0] as Timeline),
              startMs,
              workload.durationMs,
            ),
          0,
        ) / names.length,
      errors,
    };
  } finally {
    stop.abort();
    await baseline?.stop().catch(() => undefined);
    await Promise.all(runtimes.map((r) => r.stop()));
    await operator?.instance.stop();
    watch.stop();
  }
}
