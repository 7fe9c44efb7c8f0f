import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { K8sReporter, type ReporterMetrics } from '../apply/k8s-reporter.js';
import { createLogger, type Logger } from '../logger.js';
import { LogReporter } from '../apply/log-reporter.js';
import { checkStatusLayout, type StatusLayout } from '../apply/status-layout.js';
import { NoopReporter, type Reporter } from '../reporter.js';
import { checkKubernetesName, checkNumber } from '../validate.js';
import { checkCurrentCluster, loadKubeConfig } from './load-kube-config.js';
import {
  SERVICE_ACCOUNT_DIR,
  detectReporterMode,
  type ReporterChoice,
  type ReporterMode,
} from './detect-reporter-mode.js';

/** Options of {@link createReporter}. */
export interface CreateReporterOptions {
  /** An explicit choice wins over detection. Defaults to `VMCP_STATUS_REPORTER`, else `auto`. */
  readonly reporter?: ReporterChoice;
  /** Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the service-account files are. Defaults to `/var/run/secrets/kubernetes.io/serviceaccount`. */
  readonly serviceAccountDir?: string;
  /** Defaults to {@link createLogger}'s logger. */
  readonly logger?: Logger;
  /** Kubernetes mode: a kubeconfig file to use instead of the in-pod service account. */
  readonly kubeconfigPath?: string;
  /** Kubernetes mode: the SSA field manager. Defaults to `vmcp-runtime`. */
  readonly fieldManager?: string;
  /** Kubernetes mode: the VirtualMCPServer apiVersion. Defaults to `toolhive.stacklok.dev/v1beta1`. */
  readonly apiVersion?: string;
  /** Kubernetes mode: metrics hooks. */
  readonly metrics?: ReporterMetrics;
  /**
   * Kubernetes mode: where the runtime's status goes, `top-level`, `runtime`
   * (ToolHive's `status.runtime`) or `auto` (from the installed CRD's schema).
   * Defaults to `VMCP_STATUS_LAYOUT`, else `auto`.
   */
  readonly statusLayout?: StatusLayout;
  /**
   * Kubernetes mode: the term of the write Lease that keeps several replicas from
   * writing at once, in ms; 0 turns it off. Used when `POD_NAME` names this replica.
   * Defaults to 60 000.
   */
  readonly writeLeaseDurationMs?: number;
  /** Kubernetes mode: see `K8sReporterOptions.statusRefreshMs`. Defaults to 300 000 (5 m). */
  readonly statusRefreshMs?: number;
  /** Kubernetes mode: see `K8sReporterOptions.maxReportedBackends`. Defaults to 256. */
  readonly maxReportedBackends?: number;
  /** Log mode (and Kubernetes mode's fallback): how often the summary line goes out. Defaults to the report interval. */
  readonly logSummaryIntervalMs?: number;
}

/** A reporter and why it was chosen. */
export interface ReporterSelection {
  readonly reporter: Reporter;
  readonly mode: ReporterMode;
  /** Kubernetes mode: the credentials the reporter uses (e.g. to read the object's spec too). */
  readonly kubeConfig?: KubeConfig;
}

/**
 * Builds the reporter for this environment (see {@link detectReporterMode}) and says
 * once, at info level, which one and why.
 *
 * @throws ConfigError for a bad choice or status layout (option or `VMCP_STATUS_LAYOUT`)
 *   or, in Kubernetes mode, a bad name or namespace.
 */
export function createReporter(options: CreateReporterOptions = {}): ReporterSelection {
  const env = options.env ?? process.env;
  const statusLayout =
    options.statusLayout !== undefined
      ? checkStatusLayout('statusLayout', options.statusLayout)
      : checkStatusLayout('VMCP_STATUS_LAYOUT', env.VMCP_STATUS_LAYOUT || 'auto');
  const logger = options.logger ?? createLogger();
  const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const mode = detectReporterMode(
    { env, serviceAccountTokenPresent: existsSync(join(serviceAccountDir, 'token')) },
    options.reporter,
  );
  logger.info(
    { component: 'factory', reporter: mode.mode, reason: mode.reason },
    'status reporter selected',
  );
  switch (mode.mode) {
    case 'noop':
      return { reporter: new NoopReporter(), mode };
    case 'log':
      return {
        reporter: new LogReporter({ logger, summaryIntervalMs: options.logSummaryIntervalMs }),
        mode,
      };
    case 'k8s': {
      const kubeConfig = loadKubeConfig(options.kubeconfigPath, serviceAccountDir, env);
      if (options.kubeconfigPath !== undefined)
        checkCurrentCluster(kubeConfig, options.kubeconfigPath);
      const leaseMs = checkNumber('writeLeaseDurationMs', options.writeLeaseDurationMs ?? 60_000);
      // The Lease holder and the Events' reporting instance: a pod name, when set.
      const podName = env.POD_NAME ?? '';
      if (podName !== '') checkKubernetesName('POD_NAME', podName, 'subdomain');
      const reporter = new K8sReporter({
        kubeConfig,
        ref: {
          name: mode.name,
          namespace: mode.namespace,
          ...(options.apiVersion !== undefined ? { apiVersion: options.apiVersion } : {}),
        },
        ...(options.fieldManager !== undefined ? { fieldManager: options.fieldManager } : {}),
        ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
        statusLayout,
        ...(podName !== '' ? { instance: podName } : {}),
        ...(podName !== '' && leaseMs > 0
          ? { writeLease: { identity: podName, durationMs: leaseMs } }
          : {}),
        ...(options.statusRefreshMs !== undefined
          ? { statusRefreshMs: options.statusRefreshMs }
          : {}),
        ...(options.maxReportedBackends !== undefined
          ? { maxReportedBackends: options.maxReportedBackends }
          : {}),
        fallback: new LogReporter({ logger, summaryIntervalMs: options.logSummaryIntervalMs }),
        logger,
      });
      return { reporter, mode, kubeConfig };
    }
  }
}
