import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureDemoObject } from '../demo/demo-object.js';
import { localClusterKubeconfig } from '../demo/local-cluster-kubeconfig.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import { checkKubernetesName } from '../validate.js';
import { firstKubeconfig } from './first-kubeconfig.js';

/** Where `demo --reporter k8s` reports: the kubeconfig and the object. */
export interface DemoClusterTarget {
  readonly kubeconfigPath: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * The target of `demo --reporter k8s`: `--kubeconfig` (or `KUBECONFIG`, its first
 * file), else the local cluster's from `npm run cluster:up`.
 *
 * @throws ConfigError naming the flag: a bad name or namespace, no kubeconfig file.
 */
export function demoClusterTarget(flags: {
  readonly kubeconfig?: string | undefined;
  readonly namespace: string;
  readonly name: string;
}): DemoClusterTarget {
  const namespace = checkKubernetesName('--namespace', flags.namespace, 'label');
  const name = checkKubernetesName('--name', flags.name, 'subdomain');
  const kubeconfigPath = firstKubeconfig(flags.kubeconfig) ?? localClusterKubeconfig();
  if (!existsSync(kubeconfigPath)) {
    throw new ConfigError(
      '--kubeconfig',
      flags.kubeconfig === undefined
        ? "the local cluster's kubeconfig: start it first with npm run cluster:up, or pass --kubeconfig"
        : 'an existing kubeconfig file',
      kubeconfigPath,
    );
  }
  return { kubeconfigPath, namespace, name };
}

/**
 * Makes the Namespace and the VirtualMCPServer when missing, and says so, and how to
 * watch the status move beside the demo.
 */
export async function prepareDemoCluster(target: DemoClusterTarget, logger: Logger): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(target.kubeconfigPath);
  const outcome = await ensureDemoObject(kubeConfig, target);
  const kubeconfig = `--kubeconfig ${shellWord(target.kubeconfigPath)}`;
  logger.info(
    {
      component: 'demo',
      vmcp: `${target.namespace}/${target.name}`,
      namespace: outcome.namespace,
      object: outcome.object,
      server: kubeConfig.getCurrentCluster()?.server,
    },
    'demo: reporting into the cluster',
  );
  logger.info(
    {
      component: 'demo',
      command: `kubectl ${kubeconfig} get vmcpst -n ${target.namespace} ${target.name} -w`,
    },
    'demo: watch it',
  );
  logger.info(
    {
      component: 'demo',
      command: `kubectl ${kubeconfig} get vmcpst -n ${target.namespace} ${target.name} -o yaml --show-managed-fields`,
    },
    'demo: see who owns each field',
  );
}

/** A word a POSIX shell reads back as it is. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./~-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
