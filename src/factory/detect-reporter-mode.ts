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

/** The VirtualMCPServer to report into, when the caller names it (else the environment does). */
export interface ReporterTarget {
  /** The VirtualMCPServer's name. Defaults to `VMCP_NAME`. */
  readonly name?: string | undefined;
  /** Its namespace. Defaults to `VMCP_NAMESPACE`. */
  readonly namespace?: string | undefined;
}

/**
 * Picks the reporter. An explicit choice (the `reporter` argument, else
 * `VMCP_STATUS_REPORTER`) always wins. Otherwise Kubernetes mode when the object is
 * named (`name` and `namespace`, else `VMCP_NAME` and `VMCP_NAMESPACE`) and the process
 * runs in a pod (a mounted token or `KUBERNETES_SERVICE_HOST`); otherwise log mode.
 * The reason says it in the words of this API. Pure.
 *
 * @throws ConfigError naming the option or variable: an unknown choice, or in
 *   Kubernetes mode a missing or invalid (not DNS-1123) name or namespace.
 */
export function detectReporterMode(
  environment: ReporterEnvironment,
  choice?: ReporterChoice,
  target: ReporterTarget = {},
): ReporterMode {
  const { env } = environment;
  const fromEnv = env.VMCP_STATUS_REPORTER;
  let explicit: ReporterChoice | undefined = choice;
  let source = `reporter: '${String(choice)}'`;
  if ((explicit === undefined || explicit === 'auto') && fromEnv !== undefined && fromEnv !== '') {
    if (!(REPORTER_CHOICES as readonly string[]).includes(fromEnv)) {
      throw new ConfigError(
        'VMCP_STATUS_REPORTER',
        `one of ${REPORTER_CHOICES.join(', ')}`,
        fromEnv,
      );
    }
    explicit = fromEnv as ReporterChoice;
    source = `VMCP_STATUS_REPORTER=${fromEnv}`;
  }
  if (explicit !== undefined && !REPORTER_CHOICES.includes(explicit)) {
    throw new ConfigError('reporter', `one of ${REPORTER_CHOICES.join(', ')}`, explicit);
  }

  const name = nameOf(target.name, env.VMCP_NAME, 'name', 'VMCP_NAME');
  const namespace = nameOf(target.namespace, env.VMCP_NAMESPACE, 'namespace', 'VMCP_NAMESPACE');
  if (explicit === 'log' || explicit === 'noop') {
    return { mode: explicit, reason: source };
  }
  if (explicit === 'k8s') {
    return kubernetesMode(name, namespace, source);
  }

  const inPod =
    environment.serviceAccountTokenPresent || (env.KUBERNETES_SERVICE_HOST ?? '') !== '';
  if (name.value !== '' && namespace.value !== '' && inPod) {
    return kubernetesMode(
      name,
      namespace,
      `${name.source} and ${namespace.source} are set and the process runs in a pod`,
    );
  }
  const missing = [name.value === '' && name.source, namespace.value === '' && namespace.source]
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

interface NamedBy {
  readonly value: string;
  /** Where the value comes from: the option, or the variable (also when neither is set). */
  readonly source: string;
}

function nameOf(
  option: string | undefined,
  variable: string | undefined,
  optionName: string,
  variableName: string,
): NamedBy {
  if (option !== undefined) return { value: option, source: optionName };
  return { value: variable ?? '', source: variableName };
}

function kubernetesMode(name: NamedBy, namespace: NamedBy, reason: string): ReporterMode {
  return {
    mode: 'k8s',
    name: checkKubernetesName(name.source, name.value, 'subdomain'),
    namespace: checkKubernetesName(namespace.source, namespace.value, 'label'),
    reason,
  };
}
