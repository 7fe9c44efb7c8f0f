import { ConfigError } from '../errors.js';
import { checkKubernetesName } from '../validate.js';

/** Which reporter to build: `auto` detects it from the environment. */
export type ReporterChoice = 'auto' | 'k8s' | 'log' | 'noop';
export const REPORTER_CHOICES: readonly ReporterChoice[] = ['auto', 'k8s', 'log', 'noop'];

/** Where a pod's service-account token, CA and namespace are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The decision {@link detectReporterMode} makes, and why (logged once at info level). */
export type ReporterMode =
  | {
      readonly mode: 'k8s';
      readonly name: string;
      readonly namespace: string;
      readonly reason: string;
    }
  | { readonly mode: 'log' | 'noop'; readonly reason: string };

/** What {@link detectReporterMode} looks at. */
export interface ReporterEnvironment {
  /** The process environment (`VMCP_NAME`, `VMCP_NAMESPACE`, `VMCP_STATUS_REPORTER`, `KUBERNETES_SERVICE_HOST`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether a service-account token is mounted. */
  readonly serviceAccountTokenPresent: boolean;
}

/**
 * Picks the reporter. An explicit choice (the argument, else `VMCP_STATUS_REPORTER`)
 * always wins. Otherwise Kubernetes mode when `VMCP_NAME` and `VMCP_NAMESPACE` are both
 * set and the process runs in a pod (a mounted token or `KUBERNETES_SERVICE_HOST`);
 * otherwise log mode. Pure.
 *
 * @throws ConfigError naming the variable: an unknown choice, or in Kubernetes mode a
 *   missing or invalid (not DNS-1123) name or namespace.
 */
export function detectReporterMode(
  environment: ReporterEnvironment,
  choice?: ReporterChoice,
): ReporterMode {
  const { env } = environment;
  const fromEnv = env.VMCP_STATUS_REPORTER;
  let explicit: ReporterChoice | undefined = choice;
  let source = '--reporter';
  if ((explicit === undefined || explicit === 'auto') && fromEnv !== undefined && fromEnv !== '') {
    if (!(REPORTER_CHOICES as readonly string[]).includes(fromEnv)) {
      throw new ConfigError(
        'VMCP_STATUS_REPORTER',
        `one of ${REPORTER_CHOICES.join(', ')}`,
        fromEnv,
      );
    }
    explicit = fromEnv as ReporterChoice;
    source = 'VMCP_STATUS_REPORTER';
  }
  if (explicit !== undefined && !REPORTER_CHOICES.includes(explicit)) {
    throw new ConfigError('reporter', `one of ${REPORTER_CHOICES.join(', ')}`, explicit);
  }

  if (explicit === 'log' || explicit === 'noop') {
    return { mode: explicit, reason: `${source}=${explicit}` };
  }
  if (explicit === 'k8s') {
    return kubernetesMode(env, `${source}=k8s`);
  }

  const hasName = (env.VMCP_NAME ?? '') !== '';
  const hasNamespace = (env.VMCP_NAMESPACE ?? '') !== '';
  const inPod =
    environment.serviceAccountTokenPresent || (env.KUBERNETES_SERVICE_HOST ?? '') !== '';
  if (hasName && hasNamespace && inPod) {
    return kubernetesMode(
      env,
      'VMCP_NAME and VMCP_NAMESPACE are set and the process runs in a pod',
    );
  }
  const missing = [!hasName && 'VMCP_NAME', !hasNamespace && 'VMCP_NAMESPACE']
    .filter(Boolean)
    .join(' and ');
  return {
    mode: 'log',
    reason:
      missing !== ''
        ? `${missing} not set: reporting status to the log`
        : 'not running in a pod (no service-account token, no KUBERNETES_SERVICE_HOST): reporting status to the log',
  };
}

function kubernetesMode(
  env: Readonly<Record<string, string | undefined>>,
  reason: string,
): ReporterMode {
  const name = checkKubernetesName('VMCP_NAME', env.VMCP_NAME, 'subdomain');
  const namespace = checkKubernetesName('VMCP_NAMESPACE', env.VMCP_NAMESPACE, 'label');
  return { mode: 'k8s', name, namespace, reason };
}
