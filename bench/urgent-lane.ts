/**
 * The urgent lane, measured: a phase change right after a detail change, at a real
 * (not compressed) report interval. Without the lane the phase change waits for the
 * pacing window the detail change is in, up to a whole interval; with it, it goes out
 * at once. Change-to-visible as everywhere: from the check entering this project's
 * runtime (bench/ours-runtime.ts: the pipeline, K8sReporter) to the first watch event
 * whose top-level status shows it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { CRD_BACKEND_STATUS } from '../src/apply/status-patch.js';
import { waitFor } from '../tools/cluster/wait-for.js';
import type { LatencySamples } from './latency-floor.js';
import { OursOperatorWriter } from './ours-operator-writer.js';
import { OursRuntime } from './ours-runtime.js';
import { StatusWatch, wallNow } from './status-watch.js';
import { quietTimeline, type Change, type Check } from './timelines.js';
import { createVmcps } from './vmcp-objects.js';

/** What {@link measureUrgentLane} measured. */
export interface UrgentLaneSamples extends LatencySamples {
  /** VirtualMCPServers (one fresh runtime each) the samples came from. */
  readonly objects: number;
  readonly reportIntervalMs: number;
}

/** Options of {@link measureUrgentLane}. */
export interface UrgentLaneOptions {
  readonly namespace: string;
  readonly apiVersion: string;
  /** Phase changes to time, in all. */
  readonly samples: number;
  /**
   * Phase changes per VirtualMCPServer, one runtime each, one object after another.
   * Defaults to 3, the urgent lane's burst: with one token more per interval, a fourth
   * within the interval would wait by design, and that is the budget, not the latency.
   */
  readonly samplesPerObject?: number;
  /** The report interval, real time. */
  readonly reportIntervalMs: number;
  /** The runtime's status refresh; 0 is off. */
  readonly statusRefreshMs: number;
  /** As in the timeline runs: the operator's own status apply every this many ms; 0: none. */
  readonly operatorWriteIntervalMs: number;
  /** Pause after a phase change showed, before the next detail change. Defaults to 300. */
  readonly gapMs?: number;
  /** From the detail change to the phase change. Defaults to 20. */
  readonly detailLeadMs?: number;
}

/** The backend whose tool count changes (a detail), and the one that goes down and up (the phase). */
const DETAIL = 2;
const PHASE = 1;
const TOOLS = 5;

/**
 * Times phase changes that come right after a detail change: per sample, backend 2's
 * tool count changes (a detail change, paced: it lands in the window the previous
 * write opened), then `detailLeadMs` later backend 1 goes down or back up (Ready ↔
 * Degraded). The next sample starts `gapMs` after the phase change showed. Each object
 * gets a fresh runtime, started and shown its first status before its samples.
 */
export async function measureUrgentLane(
  kc: KubeConfig,
  options: UrgentLaneOptions,
): Promise<UrgentLaneSamples> {
  const perObject = options.samplesPerObject ?? 3;
  const objects = Math.ceil(options.samples / perObject);
  const names = Array.from({ length: objects }, (_, i) => `urgent-${String(i).padStart(3, '0')}`);
  const resource = await createVmcps(kc, options.apiVersion, options.namespace, names);
  const watch = await StatusWatch.start(kc, resource);
  const timeline = quietTimeline();
  const phaseBackend = timeline.backends[PHASE]?.name ?? '';
  const latenciesMs: number[] = [];
  let unseen = 0;
  let bodyBytes = 0;
  try {
    for (const [index, name] of names.entries()) {
      const samples = Math.min(perObject, options.samples - index * perObject);
      const shows = (crdStatus: string): Promise<true> =>
        waitFor(
          `${phaseBackend} ${crdStatus} in the status of ${options.namespace}/${name}`,
          () => {
            watch.check();
            return watch.shows(name, new Map([[phaseBackend, crdStatus]])) || undefined;
          },
          options.reportIntervalMs + 20_000,
          2,
        );
      const runtime = await OursRuntime.start({
        kubeConfig: kc,
        namespace: options.namespace,
        name,
        apiVersion: options.apiVersion,
        timeline,
        intervalMs: options.reportIntervalMs,
        statusRefreshMs: options.statusRefreshMs,
      });
      const stop = new AbortController();
      let writing: Promise<void> = Promise.resolve();
      try {
        await shows(CRD_BACKEND_STATUS.healthy);
        if (options.operatorWriteIntervalMs > 0) {
          const writer = new OursOperatorWriter(kc, options.namespace, [name], options.apiVersion);
          writing = writer.run(options.operatorWriteIntervalMs, stop.signal);
        }
        const startMs = wallNow();
        const changes: Change[] = [];
        for (let n = 1; n <= samples; n++) {
          await sleep(options.gapMs ?? 300);
          const detail: Check = [0, DETAIL, 'healthy', n % 2 === 1 ? TOOLS + 1 : TOOLS, 0];
          runtime.feed(detail);
          await sleep(options.detailLeadMs ?? 20);
          const down = n % 2 === 1;
          const phase: Check = down
            ? [0, PHASE, 'unhealthy', 0, 3]
            : [0, PHASE, 'healthy', TOOLS, 0];
          const atMs = wallNow() - startMs;
          runtime.feed(phase);
          const last = changes.at(-1);
          if (last !== undefined) changes[changes.length - 1] = { ...last, untilMs: atMs };
          changes.push({
            atMs,
            backend: phaseBackend,
            status: down ? 'unhealthy' : 'healthy',
            untilMs: Number.POSITIVE_INFINITY,
          });
          await shows(CRD_BACKEND_STATUS[down ? 'unhealthy' : 'healthy']).catch(() => {
            unseen++;
          });
        }
        latenciesMs.push(...watch.visibility(name, changes, startMs).latenciesMs);
        bodyBytes = runtime.lastAppliedBytes;
      } finally {
        stop.abort();
        await writing.catch(() => undefined);
        await runtime.stop();
      }
    }
  } finally {
    watch.stop();
  }
  return {
    latenciesMs: latenciesMs.sort((a, b) => a - b),
    unseen,
    bodyBytes,
    objects,
    reportIntervalMs: options.reportIntervalMs,
  };
}
