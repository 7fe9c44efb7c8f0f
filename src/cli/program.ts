import { Command, Option } from 'commander';
import { STATUS_LAYOUTS, type StatusLayout } from '../apply/status-layout.js';
import { ConfigError } from '../errors.js';
import { parseCount } from '../validate.js';
import { REPORTER_CHOICES, type ReporterChoice } from '../factory/detect-reporter-mode.js';
import { createLogger } from '../logger.js';
import { packageVersion } from '../runtime/package-version.js';
import { parseDuration } from '../runtime/parse-duration.js';
import { BACKENDS_FROM, type BackendsFrom } from './backends-from.js';
import { addDemoCommand } from './demo-command.js';
import type { ExitWith } from './exit-with.js';
import { firstKubeconfig } from './first-kubeconfig.js';
import { healthProbeOption } from './health-server.js';
import { logFormatOption, logLevelOption, type LogFlags } from './log-options.js';
import { addInspectCommand } from './inspect-command.js';
import { parseBindAddress } from './metrics-server.js';
import type { RunConfig } from './config-file.js';
import { addOperatorCommand } from './operator-command.js';
import {
  allowedHostOption,
  hostOption,
  portOption,
  servePort,
  type ServeFlags,
} from './serve-flags.js';

interface RunFlags extends LogFlags, ServeFlags {
  readonly interval?: string;
  readonly metricsBindAddress: string;
  readonly config?: string;
  readonly backendsFrom: BackendsFrom;
  readonly reporter: ReporterChoice;
  readonly kubeconfig?: string;
  readonly fieldManager?: string;
  readonly healthProbeBindAddress: string;
  readonly statusLayout?: StatusLayout;
  readonly statusRefresh: string;
  readonly maxReportedBackends?: string;
  readonly writeLeaseDuration: string;
  readonly apiVersion?: string;
}

/**
 * The `vmcp-status` command line: `run`, `demo` and `operator`. Actions report their
 * exit code to `exitWith`; bad flags make commander throw (see `main.ts`).
 */
export function createProgram(exitWith: ExitWith): Command {
  const program = new Command('vmcp-status')
    .description(
      'A Virtual MCP Server (vMCP) whose status tells the truth: serves its MCP backends behind one endpoint and reports what it serves and how they answer, to the VirtualMCPServer status subresource in Kubernetes, to the log elsewhere.',
    )
    .version(packageVersion(), '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const intervalOption = (defaultText: string) =>
    new Option(
      '--interval <duration>',
      `report interval, e.g. 30s or 2m (default: ${defaultText})`,
    );
  const metricsOption = () =>
    new Option(
      '--metrics-bind-address <address>',
      'serve Prometheus metrics at HOST:PORT/metrics (:PORT for every interface); 0 is off',
    ).default('0');

  program
    .command('run')
    .description(
      'serve the backends of a config file (or of the VirtualMCPServer spec, in Kubernetes mode) as one MCP endpoint at --host:--port/mcp, and report its status until SIGTERM or SIGINT',
    )
    .option(
      '-c, --config <file>',
      'YAML config file in the shape of the VirtualMCPServer spec.config: backends, aggregation, operational settings (optional when backends come from the spec)',
    )
    .addOption(
      new Option(
        '--backends-from <source>',
        'spec: the VirtualMCPServer spec.config.backends, watched (k8s mode); config: the config file; auto: spec in k8s mode when the config file lists no backends, else config',
      )
        .choices(BACKENDS_FROM)
        .default('auto'),
    )
    .addOption(
      intervalOption(
        'the config file’s operational.failureHandling.statusReportingInterval, else 30s',
      ),
    )
    .addOption(
      new Option(
        '--reporter <reporter>',
        'where status goes; auto picks k8s in a pod with VMCP_NAME and VMCP_NAMESPACE, else log',
      )
        .choices(REPORTER_CHOICES)
        .default('auto'),
    )
    .addOption(
      new Option(
        '--kubeconfig <path>',
        'kubeconfig file for k8s mode (default: in-pod service account)',
      ).env('KUBECONFIG'),
    )
    .addOption(
      new Option(
        '--field-manager <name>',
        'server-side apply field manager (default: vmcp-runtime)',
      ),
    )
    .addOption(
      new Option(
        '--api-version <group/version>',
        "k8s mode: the VirtualMCPServer's apiVersion; toolhive.stacklok.dev/v1beta1 for ToolHive's CRD (default: vmcp-status.dev/v1beta1)",
      ).env('VMCP_API_VERSION'),
    )
    .addOption(
      new Option(
        '--status-layout <layout>',
        "k8s mode: top-level (this project's CRD), runtime (ToolHive's status.runtime), or auto from the CRD's schema (default: auto)",
      )
        .choices(STATUS_LAYOUTS)
        .env('VMCP_STATUS_LAYOUT'),
    )
    .addOption(
      new Option(
        '--status-refresh <duration>',
        'write the status at least this often even if only check times changed (bounded staleness; kubelet-style); 0 is off',
      ).default('5m'),
    )
    .addOption(
      new Option(
        '--max-reported-backends <count>',
        'k8s mode: at most this many status.discoveredBackends entries, unhealthy first; counts stay exact (default: the config file’s maxReportedBackends, else 256)',
      ),
    )
    .addOption(
      new Option(
        '--write-lease-duration <duration>',
        'k8s mode with POD_NAME: one writer among replicas through a Lease taken only before a write, held this long; 0 is off',
      ).default('60s'),
    )
    .addOption(hostOption())
    .addOption(portOption())
    .addOption(allowedHostOption())
    .addOption(metricsOption())
    .addOption(healthProbeOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .action(async (flags: RunFlags, command: Command) => {
      const metricsAddress = parseBindAddress(flags.metricsBindAddress);
      const healthAddress = parseBindAddress(
        flags.healthProbeBindAddress,
        '--health-probe-bind-address',
      );
      const flagInterval =
        flags.interval === undefined ? undefined : parseDuration('--interval', flags.interval);
      // What the command needs beyond its flags loads only now: the config file's parser
      // (yaml, zod), then the Kubernetes client and the MCP SDK. Together they take
      // about a second, which --help, --version and a bad flag need not wait for.
      const { loadConfigFile } = await import('./config-file.js');
      const config: RunConfig =
        flags.config === undefined
          ? { backends: [], monitor: {}, aggregation: {}, notes: [] }
          : await loadConfigFile(flags.config);
      const intervalMs = flagInterval ?? config.reportIntervalMs;
      if (intervalMs !== undefined) positive('--interval', intervalMs);
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      for (const note of config.notes)
        logger.warn({ component: 'config', file: flags.config }, note);
      const { serveStatus } = await import('./serve-status.js');
      exitWith(
        await serveStatus({
          backends: config.backends,
          backendsFrom: flags.backendsFrom,
          configFile: flags.config,
          reporter: flags.reporter,
          kubeconfigPath: firstKubeconfig(flags.kubeconfig),
          fieldManager: flags.fieldManager,
          apiVersion: flags.apiVersion,
          statusLayout: flags.statusLayout,
          statusRefreshMs: parseDuration('--status-refresh', flags.statusRefresh),
          maxReportedBackends:
            flags.maxReportedBackends === undefined
              ? config.maxReportedBackends
              : parseCount('--max-reported-backends', flags.maxReportedBackends, { max: 10_000 }),
          writeLeaseDurationMs: leaseDuration(flags.writeLeaseDuration),
          intervalMs,
          monitor: config.monitor,
          serve: {
            host: flags.host,
            port: servePort(flags),
            aggregation: config.aggregation,
            ...(config.callTimeoutMs === undefined ? {} : { callTimeoutMs: config.callTimeoutMs }),
            ...(flags.allowedHost === undefined ? {} : { allowedHosts: flags.allowedHost }),
          },
          metricsAddress,
          healthAddress,
          healthRequired: command.getOptionValueSource('healthProbeBindAddress') !== 'default',
          logger,
        }),
      );
    });

  addDemoCommand(program, exitWith);
  addOperatorCommand(program, exitWith);
  addInspectCommand(program, exitWith);
  return program;
}

/** `--write-lease-duration`: 0 (off) or at least 1 s. */
function leaseDuration(value: string): number {
  const ms = parseDuration('--write-lease-duration', value);
  if (ms !== 0 && ms < 1_000) {
    throw new ConfigError('--write-lease-duration', '0 (off) or a duration of at least 1s', value);
  }
  return ms;
}

function positive(field: string, ms: number): number {
  if (ms <= 0) throw new ConfigError(field, 'a duration above 0, such as 30s', `${ms}ms`);
  return ms;
}
