import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { LogReporter } from '../apply/log-reporter.js';
import { checkStatusLayout } from '../apply/status-layout.js';
import { createLogger } from '../logger.js';
import { NoopReporter, type Reporter } from '../reporter.js';
import type { CreateReporterOptions } from './create-reporter-options.js';
import {
  SERVICE_ACCOUNT_DIR,
  detectReporterMode,
  type ReporterMode,
} from './detect-reporter-mode.js';

export type { CreateReporterOptions } from './create-reporter-options.js';

/** A reporter and why it was chosen. */
export interface ReporterSelection {
  readonly reporter: Reporter;
  readonly mode: ReporterMode;
  /** Kubernetes mode: the credentials the reporter uses (e.g. to read the object's spec too). */
  readonly kubeConfig?: KubeConfig;
}

/**
 * Builds the reporter for this environment and says once, at info level, which one and
 * why: the seed's `NewReporter`, with the object named by `name` and `namespace` (or
 * `VMCP_NAME` and `VMCP_NAMESPACE`). See {@link detectReporterMode} for the choice.
 *
 * The Kubernetes client loads only when the Kubernetes reporter is chosen: a vMCP that
 * logs its status never loads it.
 *
 * ```ts
 * const { reporter, mode } = await createReporter({ name: 'tools', namespace: 'team-a' });
 * // in a pod: Kubernetes mode; on a laptop: the log, and mode.reason says why
 * ```
 *
 * @throws ConfigError for a bad choice, status layout or, in Kubernetes mode, name,
 *   namespace, kubeconfig or `POD_NAME`; each names its option or variable.
 */
export async function createReporter(
  options: CreateReporterOptions = {},
): Promise<ReporterSelection> {
  const env = options.env ?? process.env;
  const statusLayout =
    options.statusLayout !== undefined
      ? checkStatusLayout('statusLayout', options.statusLayout)
      : checkStatusLayout('VMCP_STATUS_LAYOUT', env.VMCP_STATUS_LAYOUT || 'auto');
  const logger = options.logger ?? createLogger({ destination: 2 });
  const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const mode = detectReporterMode(
    { env, serviceAccountTokenPresent: existsSync(join(serviceAccountDir, 'token')) },
    options.reporter,
    { name: options.name, namespace: options.namespace },
  );
  logger.info(
    { component: 'factory', reporter: mode.mode, reason: mode.reason },
    'status reporter selected',
  );
  const logReporter = () =>
    new LogReporter({ logger, summaryIntervalMs: options.logSummaryIntervalMs });
  if (mode.mode === 'k8s') {
    // Loaded here, not at import: the Kubernetes client is most of the package's weight.
    const { createK8sReporter } = await import('./create-k8s-reporter.js');
    const built = createK8sReporter(mode, {
      ...options,
      env,
      serviceAccountDir,
      statusLayout,
      logger,
      fallback: logReporter(),
    });
    return { reporter: built.reporter, mode, kubeConfig: built.kubeConfig };
  }
  return { reporter: mode.mode === 'noop' ? new NoopReporter() : logReporter(), mode };
}
