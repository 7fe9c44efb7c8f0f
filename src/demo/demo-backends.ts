import { pino } from 'pino';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import { formatDuration } from '../runtime/parse-duration.js';
import {
  DEMO_BACKENDS,
  demoTimeline,
  type DemoBackendName,
  type DemoStep,
  type DemoStepStarted,
} from './demo-timeline.js';
import { startScriptedMcpServer, type ScriptedMcpServer } from './scripted-mcp-server.js';

/** Options of {@link startDemoBackends}. */
export interface DemoBackendsOptions {
  /** Defaults to the demo's loop, `DEMO_TIMELINE`. */
  readonly timeline?: readonly DemoStep[];
  /** Demo time runs this many times faster (tests). Defaults to 1. */
  readonly speed?: number;
  /** Paces the timeline. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called as each step starts, after the backends switched. */
  readonly onStep?: (started: DemoStepStarted) => void;
  /** One info line per step. Defaults to a silent logger. */
  readonly logger?: Logger;
}

/** The demo's running backends. */
export interface DemoBackends {
  readonly backends: readonly BackendConfig[];
  readonly servers: Readonly<Record<DemoBackendName, ScriptedMcpServer>>;
  /** Stops the timeline and the servers. */
  close(): Promise<void>;
}

/**
 * Real MCP servers on loopback for `vmcp-status demo`, one per `DEMO_BACKENDS` entry,
 * switched through the demo timeline: each step sets how every backend answers and
 * logs one line saying so.
 */
export async function startDemoBackends(options: DemoBackendsOptions = {}): Promise<DemoBackends> {
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'demo' });
  const speed = options.speed ?? 1;
  const entries = await Promise.all(
    DEMO_BACKENDS.map(
      async (b) =>
        [
          b.name,
          await startScriptedMcpServer({
            name: b.name,
            tools: b.tools,
            ...('pageSize' in b ? { pageSize: b.pageSize } : {}),
          }),
        ] as const,
    ),
  );
  const servers = Object.fromEntries(entries) as Record<DemoBackendName, ScriptedMcpServer>;
  const steps = demoTimeline(
    { speed, ...(options.timeline === undefined ? {} : { timeline: options.timeline }) },
    options.scheduler ?? asyncScheduler,
  ).subscribe((step) => {
    for (const [name, mode] of Object.entries(step.step.modes)) {
      servers[name as DemoBackendName].mode = mode;
    }
    logger.info(
      {
        phase: step.step.phase,
        note: step.step.note,
        forDuration: formatDuration(step.step.forMs / speed),
        cycle: step.cycle,
      },
      'demo step',
    );
    options.onStep?.(step);
  });
  return {
    backends: DEMO_BACKENDS.map((b) => ({ name: b.name, url: servers[b.name].url })),
    servers,
    async close() {
      steps.unsubscribe();
      await Promise.all(entries.map(([, server]) => server.close()));
    },
  };
}
