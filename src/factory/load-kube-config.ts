import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';
import { parseCount } from '../validate.js';

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
  if (kubeconfigPath !== undefined) return loadKubeconfigFile(kubeconfigPath);
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (host === undefined || host === '') {
    throw new ConfigError(
      'KUBERNETES_SERVICE_HOST',
      'the apiserver address (set in every pod), or a kubeconfig file',
    );
  }
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
    throw new ConfigError(
      'KUBERNETES_SERVICE_HOST',
      'an IP address or host name (no scheme, port or path)',
      host,
    );
  }
  parseCount('KUBERNETES_SERVICE_PORT', port, { min: 1, max: 65_535 });
  const tokenFile = join(serviceAccountDir, 'token');
  const caFile = join(serviceAccountDir, 'ca.crt');
  if (!existsSync(tokenFile))
    throw new ConfigError(tokenFile, 'a service-account token file, or a kubeconfig file');
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

/**
 * A kubeconfig file: readable, and YAML a kubeconfig parser accepts.
 *
 * @throws ConfigError naming `kubeconfigPath` (the CLI shows it as `--kubeconfig`) and the file. The file's
 *   content is never echoed (it holds credentials).
 */
export function loadKubeconfigFile(path: string): KubeConfig {
  const field = 'kubeconfigPath';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(field, `a readable kubeconfig file (${code})`, path);
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    // The parser's first line says what and where (line:column); the rest quotes the file.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw new ConfigError(field, `a valid kubeconfig in YAML (${first.slice(0, 200)})`, path);
  }
  return kc;
}

/**
 * Checks that a kubeconfig's current context names a cluster with a server (what
 * client-node would otherwise report as "No active cluster!" at the first request).
 *
 * @throws ConfigError naming the file.
 */
export function checkCurrentCluster(kc: KubeConfig, path: string): KubeConfig {
  const field = 'kubeconfigPath';
  // A file without current-context reads as undefined, whatever the type says.
  const context = (kc.getCurrentContext() as string | undefined) ?? '';
  if (context === '' || kc.getContextObject(context) === null) {
    throw new ConfigError(
      field,
      context === ''
        ? 'a current-context'
        : `a context named by current-context (${JSON.stringify(context)} is not in contexts)`,
      path,
    );
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    throw new ConfigError(
      field,
      `a cluster with a server for context ${JSON.stringify(context)} (clusters lists none by that name)`,
      path,
    );
  }
  return kc;
}
