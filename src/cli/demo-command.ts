import { Option, type Command } from 'commander';
import { ConfigError } from '../errors.js';
import { DEMO_TIMELINE } from '../demo/demo-timeline.js';
import { createLogger } from '../logger.js';
import { formatDuration, parseDuration } from '../runtime/parse-duration.js';
import type { ExitWith } from './exit-with.js';
import { logFormatOption, logLevelOption, type LogFlags } from './log-options.js';
import { parseBindAddress } from './metrics-server.js';
import { hostOption, portOption, servePort, type ServeFlags } from './serve-flags.js';

interface DemoFlags extends LogFlags, ServeFlags {
  readonly interval: string;
  readonly speed: string;
  readonly reporter: 'log' | 'k8s';
  readonly kubeconfig?: string;
  readonly namespace: string;
  readonly name: string;
  readonly metricsBindAddress: string;
}

/** The demo's probe settings, in demo time: quick enough that a 15 s step shows within a second or two. */
const DEMO_PROBE = {
  probeIntervalMs: 1_000,
  probeTimeoutMs: 5_000,
  degradedThresholdMs: 500,
} as const;

/**
 * `vmcp-status demo`: scripted MCP backends on loopback that loop through Ready,
 * Degraded and Failed (src/demo), monitored and reported like real ones.
 */
export function addDemoCommand(program: Command, exitWith: ExitWith): void {
  const loop = DEMO_TIMELINE.map((s) => `${s.phase} (${s.note}) ${formatDuration(s.forMs)}`);
  program
    .command('demo')
    .description(
      `start MCP servers on loopback that loop through ${loop.join(', ')}, and report their status to the log or, with --reporter k8s, into a VirtualMCPServer of the local cluster`,
    )
    .addOption(
      new Option('--interval <duration>', 'report interval: at most one report this often').default(
        '1s',
      ),
    )
    .addOption(
      new Option(
        '--speed <factor>',
        'run the demo this many times faster (timeline, probes and reports), e.g. 10',
      ).default('1'),
    )
    .addOption(
      new Option(
        '--reporter <reporter>',
        'log; or k8s: create the namespace and the VirtualMCPServer when missing and report into its status',
      )
        .choices(['log', 'k8s'])
        .default('log'),
    )
    .addOption(
      new Option(
        '--kubeconfig <path>',
        "k8s: kubeconfig file (default: the local cluster's from npm run cluster:up)",
      ).env('KUBECONFIG'),
    )
    .option('-n, --namespace <namespace>', 'k8s: namespace of the VirtualMCPServer', 'vmcp-demo')
    .option('--name <name>', 'k8s: name of the VirtualMCPServer', 'demo')
    .addOption(
      new Option(
        '--metrics-bind-address <address>',
        'serve Prometheus metrics at HOST:PORT/metrics (:PORT for every interface); 0 is off',
      ).default('0'),
    )
    .addOption(hostOption())
    .addOption(portOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .action(async (flags: DemoFlags) => {
      const metricsAddress = parseBindAddress(flags.metricsBindAddress);
      const speed = parseSpeed(flags.speed);
      const intervalMs = parseDuration('--interval', flags.interval);
      if (intervalMs <= 0) {
        throw new ConfigError('--interval', 'a duration above 0, such as 1s', flags.interval);
      }
      // The Kubernetes client, the MCP SDK and the reporting loop load only now, so that
      // --help and a usage error answer at once.
      const cluster = flags.reporter === 'k8s' ? await import('./demo-cluster.js') : undefined;
      const target = cluster?.demoClusterTarget(flags);
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      if (cluster !== undefined && target !== undefined) {
        await cluster.prepareDemoCluster(target, logger);
      }
      const { startDemoBackends } = await import('../demo/demo-backends.js');
      const { serveStatus } = await import('./serve-status.js');
      const demo = await startDemoBackends({ logger, speed });
      logger.info(
        { backends: demo.backends.map((b) => `${b.name} ${b.url}`), loop },
        'demo: MCP backends on loopback, looping through the phases; Ctrl+C stops',
      );
      try {
        exitWith(
          await serveStatus({
            backends: demo.backends,
            reporter: flags.reporter,
            ...(target === undefined
              ? {}
              : {
                  kubeconfigPath: target.kubeconfigPath,
                  // The object to report into; no POD_NAME: one process, no write Lease.
                  env: {
                    ...process.env,
                    VMCP_NAME: target.name,
                    VMCP_NAMESPACE: target.namespace,
                    POD_NAME: undefined,
                  },
                  writeLeaseDurationMs: 0,
                }),
            intervalMs: scaled(intervalMs, speed),
            monitor: {
              probeIntervalMs: scaled(DEMO_PROBE.probeIntervalMs, speed),
              probeTimeoutMs: DEMO_PROBE.probeTimeoutMs,
              degradedThresholdMs: DEMO_PROBE.degradedThresholdMs,
              // A failed probe shows at once: the demo is about phases, not thresholds.
              unhealthyThreshold: 1,
            },
            serve: { host: flags.host, port: servePort(flags), aggregation: {} },
            metricsAddress,
            // Now and then, out of step with the 15 s steps: enough to see it is alive.
            logSummaryIntervalMs: scaled(20_000, speed),
            logger,
          }),
        );
      } finally {
        await demo.close();
      }
    });
}

/** Demo time to real time, in whole milliseconds. */
function scaled(ms: number, speed: number): number {
  return Math.max(1, Math.round(ms / speed));
}

/** `--speed`: a number from 1 to 100. */
function parseSpeed(text: string): number {
  const speed = Number(text);
  if (text.trim() === '' || !Number.isFinite(speed) || speed < 1 || speed > 100) {
    throw new ConfigError('--speed', 'a number from 1 to 100', text);
  }
  return speed;
}
