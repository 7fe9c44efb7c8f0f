import { pino } from 'pino';
import type { Logger } from '../logger.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import { startScriptedMcpServer, type ScriptedMcpServer } from './scripted-mcp-server.js';

/** Options of {@link startDemoBackends}. */
export interface DemoBackendsOptions {
  /** When the flaky backend starts failing. Defaults to 20 000 ms. */
  readonly failAfterMs?: number;
  /** How long it fails. Defaults to 20 000 ms. */
  readonly failForMs?: number;
  /** When the healthy backend adds a tool and announces it. Defaults to 30 000 ms. */
  readonly addToolAfterMs?: number;
  /** How slow the slow backend answers each request. Defaults to 800 ms. */
  readonly slowDelayMs?: number;
  /** Says what the scenario does, when. Defaults to a silent logger. */
  readonly logger?: Logger;
}

/** The demo's three running backends. */
export interface DemoBackends {
  readonly backends: readonly BackendConfig[];
  readonly healthy: ScriptedMcpServer;
  readonly slow: ScriptedMcpServer;
  readonly flaky: ScriptedMcpServer;
  /** Stops the scenario's timers and the servers. */
  close(): Promise<void>;
}

/**
 * Three real MCP servers on loopback for `vmcp-status demo`:
 *
 * - `healthy`: 12 tools over 3 pages; at `addToolAfterMs` it adds one and sends
 *   `notifications/tools/list_changed`;
 * - `slow`: answers every request after `slowDelayMs` (degraded with a lower threshold);
 * - `flaky`: answers 503 from `failAfterMs` for `failForMs`, then recovers.
 */
export async function startDemoBackends(options: DemoBackendsOptions = {}): Promise<DemoBackends> {
  const failAfterMs = options.failAfterMs ?? 20_000;
  const failForMs = options.failForMs ?? 20_000;
  const addToolAfterMs = options.addToolAfterMs ?? 30_000;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'demo' });
  const [healthy, slow, flaky] = await Promise.all([
    startScriptedMcpServer({ name: 'healthy', tools: 12, pageSize: 5 }),
    startScriptedMcpServer({ name: 'slow', tools: 4, delayMs: options.slowDelayMs ?? 800 }),
    startScriptedMcpServer({ name: 'flaky', tools: 6 }),
  ]);
  const timers = [
    setTimeout(() => {
      flaky.mode = 'unavailable';
      logger.info(
        { backend: 'flaky', recoversInMs: failForMs },
        'demo: flaky backend now answers 503',
      );
    }, failAfterMs),
    setTimeout(() => {
      flaky.mode = 'ok';
      logger.info({ backend: 'flaky' }, 'demo: flaky backend answers again');
    }, failAfterMs + failForMs),
    setTimeout(() => {
      logger.info(
        { backend: 'healthy', tools: healthy.toolCount + 1 },
        'demo: healthy backend adds a tool',
      );
      void healthy.setToolCount(healthy.toolCount + 1);
    }, addToolAfterMs),
  ];
  return {
    backends: [
      { name: 'healthy', url: healthy.url },
      { name: 'slow', url: slow.url },
      { name: 'flaky', url: flaky.url },
    ],
    healthy,
    slow,
    flaky,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([healthy.close(), slow.close(), flaky.close()]);
    },
  };
}
