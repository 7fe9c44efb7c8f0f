import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';

/**
 * Credentials for Kubernetes mode: an explicit kubeconfig file, else the pod's
 * service account (`token` and `ca.crt` in `serviceAccountDir`, the server from
 * `KUBERNETES_SERVICE_HOST`/`PORT` in `env`). Injected so tests can act as a pod.
 *
 * The token is read through client-node's `tokenFile` auth provider, which re-reads
 * the file as the kubelet rotates the projected token.
 */
export function loadKubeConfig(
  kubeconfigPath: string | undefined,
  serviceAccountDir: string,
  env: Readonly<Record<string, string | undefined>>,
): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath !== undefined) {
    if (!existsSync(kubeconfigPath))
      throw new ConfigError('--kubeconfig', 'an existing kubeconfig file', kubeconfigPath);
    kc.loadFromFile(kubeconfigPath);
    return kc;
  }
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (host === undefined || host === '') {
    throw new ConfigError(
      'KUBERNETES_SERVICE_HOST',
      'the apiserver address (set in every pod), or --kubeconfig',
    );
  }
  const tokenFile = join(serviceAccountDir, 'token');
  const caFile = join(serviceAccountDir, 'ca.crt');
  if (!existsSync(tokenFile))
    throw new ConfigError(tokenFile, 'a service-account token file, or --kubeconfig');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server,
        ...(existsSync(caFile) ? { caFile } : {}),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return kc;
}
