import type { KubeConfig } from '@kubernetes/client-node';
import { K8sReporter } from '../apply/k8s-reporter.js';
import type { StatusLayout } from '../apply/status-layout.js';
import type { Logger } from '../logger.js';
import type { Reporter } from '../reporter.js';
import { checkKubernetesName, checkNumber } from '../validate.js';
import type { CreateReporterOptions } from './create-reporter-options.js';
import type { ReporterMode } from './detect-reporter-mode.js';
import { checkCurrentCluster, loadKubeConfig } from './load-kube-config.js';

/** What `createReporter` has settled when it builds the Kubernetes reporter. */
export interface K8sReporterInputs extends CreateReporterOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly serviceAccountDir: string;
  readonly statusLayout: StatusLayout;
  readonly logger: Logger;
  readonly fallback: Reporter;
}

/**
 * The Kubernetes half of `createReporter`, in a module of its own so that only a
 * Kubernetes reporter loads `@kubernetes/client-node`.
 */
export function createK8sReporter(
  mode: Extract<ReporterMode, { mode: 'k8s' }>,
  options: K8sReporterInputs,
): { readonly reporter: K8sReporter; readonly kubeConfig: KubeConfig } {
  const { env } = options;
  const kubeConfig = loadKubeConfig(options.kubeconfigPath, options.serviceAccountDir, env);
  if (options.kubeconfigPath !== undefined) checkCurrentCluster(kubeConfig, options.kubeconfigPath);
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
    statusLayout: options.statusLayout,
    ...(podName !== '' ? { instance: podName } : {}),
    ...(podName !== '' && leaseMs > 0
      ? { writeLease: { identity: podName, durationMs: leaseMs } }
      : {}),
    ...(options.statusRefreshMs !== undefined ? { statusRefreshMs: options.statusRefreshMs } : {}),
    ...(options.maxReportedBackends !== undefined
      ? { maxReportedBackends: options.maxReportedBackends }
      : {}),
    fallback: options.fallback,
    logger: options.logger,
  });
  return { reporter, kubeConfig };
}
