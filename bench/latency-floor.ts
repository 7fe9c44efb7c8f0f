/**
 * The floor of change-to-visible latency: what the apiserver alone costs for the
 * change the timelines make. A bare server-side apply of the runtime's status (the
 * same body the pipeline derives, the same request builder, field manager
 * `vmcp-runtime`, force, strict validation) to one VirtualMCPServer, timed from just
 * before the PATCH to the first watch event that shows it, by the same
 * {@link StatusWatch} the other latencies use. No pipeline, no queue, no reporter.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIELD_MANAGERS } from '../src/apply/ownership.js';
import { laidOutPatch } from '../src/apply/runtime-snapshot.js';
import { CRD_BACKEND_STATUS, type ConditionJson } from '../src/apply/status-patch.js';
import { StatusApplier, statusApplyRequest } from '../src/apply/status-apply-request.js';
import { vmcpObjectRef } from '../src/apply/vmcp-resource.js';
import { BackendStateTable } from '../src/reactive/backend-state-table.js';
import { deriveRuntimeStatus } from '../src/reactive/derive-runtime-status.js';
import { waitFor } from '../tools/cluster/wait-for.js';
import { OursOperatorWriter } from './ours-operator-writer.js';
import { StatusWatch, wallNow } from './status-watch.js';
import { checkEvent, quietTimeline, type Change, type Check } from './timelines.js';
import { createVmcps } from './vmcp-objects.js';

/** Change-to-visible latencies of one latency measurement. */
export interface LatencySamples {
  /** Milliseconds from each change to the first watch event showing it, sorted. */
  readonly latenciesMs: readonly number[];
  /** Changes sent that no watch event showed in time. */
  readonly unseen: number;
  /** Bytes of the status apply body, for the record: the floor's is the pipeline's. */
  readonly bodyBytes: number;
}

/** Several measurements of one kind as one: every latency, sorted. */
export function joinSamples(parts: readonly LatencySamples[]): LatencySamples {
  return {
    latenciesMs: parts.flatMap((p) => p.latenciesMs).sort((a, b) => a - b),
    unseen: parts.reduce((n, p) => n + p.unseen, 0),
    bodyBytes: parts[0]?.bodyBytes ?? 0,
  };
}

/** Options of {@link measureFloor}. */
export interface FloorOptions {
  readonly namespace: string;
  readonly apiVersion: string;
  /** Changes to time. */
  readonly samples: number;
  /**
   * The operator's own status apply on the object every this many ms meanwhile, as in
   * the timeline runs (the same conditions as the latencies it is the floor of); 0: none.
   */
  readonly operatorWriteIntervalMs: number;
  /** Pause after a change showed, before the next; a random 0–250 ms is added. Defaults to 200. */
  readonly gapMs?: number;
}

/** The backend that flips, as in the `isolated` timeline. */
const FLIPPING = 0;

/**
 * Times `samples` status changes sent as bare server-side applies: backend 0 of ten
 * alternates healthy/unhealthy (the `isolated` timeline's change, a phase change too),
 * each apply sent once the previous change showed and a short random pause passed.
 */
export async function measureFloor(kc: KubeConfig, options: FloorOptions): Promise<LatencySamples> {
  const name = 'floor';
  const resource = await createVmcps(kc, options.apiVersion, options.namespace, [name]);
  const watch = await StatusWatch.start(kc, resource);
  const stop = new AbortController();
  let writing: Promise<void> = Promise.resolve();
  try {
    const timeline = quietTimeline();
    const own = vmcpObjectRef({
      namespace: options.namespace,
      name,
      apiVersion: options.apiVersion,
    });
    const applier = new StatusApplier(kc, 10_000);
    const table = new BackendStateTable();
    table.setConfigured(
      timeline.backends.map((b) => b.name),
      new Date(),
    );
    let previous: readonly ConditionJson[] | undefined;
    let bodyBytes = 0;
    // As the pipeline does: the check enters the state, a status is derived from it, laid
    // out as the reporter lays it out, and applied.
    const apply = async (checks: readonly Check[]): Promise<number> => {
      for (const check of checks) {
        const event = checkEvent(timeline, check, new Date());
        if (event !== undefined) table.applyCheck(event, new Date());
      }
      const status = deriveRuntimeStatus(table, table.configuredNames, new Date());
      const patch = laidOutPatch(own, status, 'top-level', previous, new Set());
      const body = statusApplyRequest(own, patch, FIELD_MANAGERS.runtime);
      bodyBytes = Buffer.byteLength(JSON.stringify(patch));
      const sentAt = wallNow();
      await applier.send(body);
      previous = patch.status.conditions as ConditionJson[];
      return sentAt;
    };
    const shows = (backend: string, crdStatus: string): Promise<true> =>
      waitFor(
        `${backend} ${crdStatus} in the status of ${options.namespace}/${name}`,
        () => {
          watch.check();
          return watch.shows(name, new Map([[backend, crdStatus]])) || undefined;
        },
        20_000,
        2,
      );
    const flipping = timeline.backends[FLIPPING]?.name ?? '';

    await apply(timeline.initial);
    await shows(flipping, CRD_BACKEND_STATUS.healthy);
    if (options.operatorWriteIntervalMs > 0) {
      const writer = new OursOperatorWriter(kc, options.namespace, [name], options.apiVersion);
      writing = writer.run(options.operatorWriteIntervalMs, stop.signal);
    }
    await sleep(500);

    const startMs = wallNow();
    const sent: Array<{ atMs: number; status: 'healthy' | 'unhealthy' }> = [];
    let unseen = 0;
    for (let n = 1; n <= options.samples; n++) {
      const status = n % 2 === 1 ? 'unhealthy' : 'healthy';
      const check: Check =
        status === 'unhealthy' ? [0, FLIPPING, status, 0, 3] : [0, FLIPPING, status, 5, 0];
      const sentAt = await apply([check]);
      sent.push({ atMs: sentAt - startMs, status });
      await shows(flipping, CRD_BACKEND_STATUS[status]).catch(() => {
        unseen++;
      });
      await sleep((options.gapMs ?? 200) + Math.random() * 250);
    }
    const changes: Change[] = sent.map((s, i) => ({
      atMs: s.atMs,
      backend: flipping,
      status: s.status,
      untilMs: sent[i + 1]?.atMs ?? Number.POSITIVE_INFINITY,
    }));
    const { latenciesMs } = watch.visibility(name, changes, startMs);
    return { latenciesMs, unseen, bodyBytes };
  } finally {
    stop.abort();
    await writing.catch(() => undefined);
    watch.stop();
  }
}
