import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { K8sReporter, type K8sReporterOptions } from '../src/apply/k8s-reporter.js';
import type { ReportOutcome } from '../src/reporter.js';
import { reportStatus } from '../src/reactive/report-status.js';
import { runtimeStatusStream } from '../src/reactive/runtime-status-stream.js';
import type { BackendHealthEvent, RuntimeStatus } from '../src/types.js';
import { checkEvent, type Check, type Timeline } from './timelines.js';
import { wallNow } from './status-watch.js';

/** Reporter settings a benchmark row may set (e.g. a status layout), besides the object. */
export type ReporterTuning = Partial<Omit<K8sReporterOptions, 'kubeConfig' | 'ref'>>;

/** Options of {@link OursRuntime.start}. */
export interface OursRuntimeOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly timeline: Timeline;
  readonly intervalMs: number;
  readonly reporter?: ReporterTuning;
  /** The status refresh (src/apply/k8s-reporter-options.ts); 0 is off. */
  readonly statusRefreshMs: number;
}

/**
 * This project's runtime for one VirtualMCPServer, as a vMCP embeds it: the reactive
 * pipeline (`runtimeStatusStream`, paced on the report interval) and `K8sReporter`,
 * joined by `reportStatus`, fed by a scripted timeline instead of MCP probes.
 */
export class OursRuntime {
  readonly #checks = new Subject<BackendHealthEvent>();
  readonly #outcomes = new Map<ReportOutcome, number>();
  readonly #reporter: K8sReporter;
  readonly #configured: BehaviorSubject<readonly string[]>;
  readonly #status$: Observable<RuntimeStatus>;
  #done: Promise<void> = Promise.resolve();

  private constructor(private readonly options: OursRuntimeOptions) {
    const { kubeConfig, namespace, name, apiVersion, timeline, intervalMs } = options;
    this.#reporter = new K8sReporter({
      kubeConfig,
      ref: { namespace, name, apiVersion },
      logger: pino({ level: 'silent' }),
      metrics: {
        reportOutcome: (outcome) => {
          this.#outcomes.set(outcome, (this.#outcomes.get(outcome) ?? 0) + 1);
        },
      },
      statusRefreshMs: options.statusRefreshMs,
      ...options.reporter,
    });
    this.#configured = new BehaviorSubject<readonly string[]>(timeline.backends.map((b) => b.name));
    const status$ = runtimeStatusStream(this.#checks, this.#configured, {
      reportIntervalMs: intervalMs,
      // As startStatusReporting does: the status again after a quiet refresh period.
      statusRefreshMs: options.statusRefreshMs,
    });
    this.#status$ = status$;
  }

  /** Starts the reporter, subscribes the pipeline to it, then feeds the timeline's initial checks. */
  static async start(options: OursRuntimeOptions): Promise<OursRuntime> {
    const runtime = new OursRuntime(options);
    await runtime.#reporter.start(options.intervalMs);
    runtime.#done = reportStatus(runtime.#status$, runtime.#reporter);
    for (const check of options.timeline.initial) runtime.feed(check);
    return runtime;
  }

  /** Writes the server accepted so far (outcome `applied`). */
  get applied(): number {
    return this.#outcomes.get('applied') ?? 0;
  }

  /** Bytes of the last status apply body the server accepted (0 before the first). */
  get lastAppliedBytes(): number {
    const patch = this.#reporter.lastApplied;
    return patch === undefined ? 0 : Buffer.byteLength(JSON.stringify(patch));
  }

  /** Replays the timeline's events at `startMs + atMs` (wall clock); resolves after the last. */
  async replay(startMs: number, signal: AbortSignal): Promise<void> {
    for (const check of this.options.timeline.events) {
      const wait = startMs + check[0] - wallNow();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      this.feed(check);
    }
  }

  /** Ends the pipeline (its pending status goes out) and stops the reporter. */
  async stop(): Promise<void> {
    this.#checks.complete();
    this.#configured.complete();
    await this.#done;
    await this.#reporter.stop();
  }

  /** Feeds one check now: the replay does, and a benchmark that scripts its own changes. */
  feed(check: Check): void {
    const event = checkEvent(this.options.timeline, check, new Date());
    if (event !== undefined) this.#checks.next(event);
  }
}
