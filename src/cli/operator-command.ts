import { Option, type Command } from 'commander';
import { ConfigError } from '../errors.js';
import { SERVICE_ACCOUNT_DIR } from '../factory/detect-reporter-mode.js';
import { createLogger } from '../logger.js';
import { parseDuration } from '../runtime/parse-duration.js';
import { DEFAULT_RUNTIME_IMAGE } from '../operator/runtime-image.js';
import { checkKubernetesName } from '../validate.js';
import type { ExitWith } from './exit-with.js';
import { firstKubeconfig } from './first-kubeconfig.js';
import { healthProbeOption } from './health-server.js';
import { logFormatOption, logLevelOption, type LogFlags } from './log-options.js';
import { parseBindAddress } from './metrics-server.js';

interface OperatorFlags extends LogFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly fieldManager: string;
  readonly resync: string;
  readonly concurrency: string;
  readonly clusterDomain: string;
  readonly runtimeImage: string;
  readonly metricsBindAddress: string;
  readonly healthProbeBindAddress: string;
}

/**
 * `vmcp-status operator`: the VirtualMCPServer operator (src/operator), until SIGTERM
 * or SIGINT. Exit 0 on a signal, 1 when it cannot start, 2 on a bad flag.
 */
export function addOperatorCommand(program: Command, exitWith: ExitWith): void {
  program
    .command('operator')
    .description(
      'run the VirtualMCPServer operator: deploy each vMCP (ServiceAccount, Role, RoleBinding, Service, Deployment) and keep the operator-owned status fields, until SIGTERM or SIGINT',
    )
    .addOption(
      new Option(
        '--kubeconfig <path>',
        'kubeconfig file (default: in-cluster service account)',
      ).env('KUBECONFIG'),
    )
    .option('--context <name>', 'kubeconfig context (default: its current context)')
    .option('-n, --namespace <namespace>', 'watch this namespace only (default: all namespaces)')
    .option(
      '--field-manager <name>',
      'server-side apply field manager for children and status',
      'vmcp-operator',
    )
    .option(
      '--resync <duration>',
      'reconcile every VirtualMCPServer this often (plus up to 10% jitter); 0 is off',
      '10m',
    )
    .option('--concurrency <n>', 'VirtualMCPServers reconciled at once', '1')
    .option('--cluster-domain <domain>', 'cluster DNS domain of status.url', 'cluster.local')
    .addOption(
      new Option(
        '--runtime-image <image>',
        "the runtime pods' image (no VirtualMCPServer picks it)",
      )
        .env('VMCP_RUNTIME_IMAGE')
        .default(DEFAULT_RUNTIME_IMAGE),
    )
    .addOption(
      new Option(
        '--metrics-bind-address <address>',
        'serve Prometheus metrics at HOST:PORT/metrics (:PORT for every interface); 0 is off',
      ).default('0'),
    )
    .addOption(healthProbeOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .action(async (flags: OperatorFlags, command: Command) => {
      const metricsAddress = parseBindAddress(flags.metricsBindAddress);
      const healthAddress = parseBindAddress(
        flags.healthProbeBindAddress,
        '--health-probe-bind-address',
      );
      const resyncPeriodMs = parseDuration('--resync', flags.resync);
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        throw new ConfigError('--concurrency', 'an integer from 1 to 64', flags.concurrency);
      }
      const namespace =
        flags.namespace === undefined
          ? undefined
          : checkKubernetesName('--namespace', flags.namespace, 'label');
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(flags.fieldManager)) {
        throw new ConfigError('--field-manager', 'a field manager name', flags.fieldManager);
      }
      // The Kubernetes client and the operator load only now, so that --help and a usage
      // error answer at once.
      const { loadKubeConfig } = await import('../factory/load-kube-config.js');
      const { serveOperator } = await import('./serve-operator.js');
      const kubeConfig = loadKubeConfig(
        firstKubeconfig(flags.kubeconfig),
        SERVICE_ACCOUNT_DIR,
        process.env,
      );
      if (flags.context !== undefined) {
        if (kubeConfig.getContextObject(flags.context) == null) {
          throw new ConfigError(
            '--context',
            `a context of the kubeconfig (${kubeConfig
              .getContexts()
              .map((c) => c.name)
              .join(', ')})`,
            flags.context,
          );
        }
        kubeConfig.setCurrentContext(flags.context);
      }
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      exitWith(
        await serveOperator({
          kubeConfig,
          namespace,
          fieldManager: flags.fieldManager,
          resyncPeriodMs,
          concurrency,
          clusterDomain: flags.clusterDomain,
          runtimeImage: flags.runtimeImage,
          metricsAddress,
          healthAddress,
          healthRequired: command.getOptionValueSource('healthProbeBindAddress') !== 'default',
          logger,
        }),
      );
    });
}
