import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';
import { loadKubeconfigFile } from '../factory/load-kube-config.js';

/**
 * The kubeconfig the way kubectl finds it: `--kubeconfig` (one file), else every file
 * of `KUBECONFIG` merged (the first file to name a cluster, user or context wins it,
 * and the first current-context set wins; missing files are skipped), else
 * `~/.kube/config`; then `--context` if given.
 *
 * @throws ConfigError naming `--kubeconfig`, `KUBECONFIG` or `--context`.
 */
export function kubectlKubeConfig(
  path: string | undefined,
  context: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): KubeConfig {
  let kubeConfig: KubeConfig;
  if (path !== undefined) {
    if (!existsSync(path))
      throw new ConfigError('--kubeconfig', 'an existing kubeconfig file', path);
    kubeConfig = loadKubeconfigFile(path);
  } else if ((env.KUBECONFIG ?? '') !== '') {
    const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '' && existsSync(f));
    if (files.length === 0)
      throw new ConfigError('KUBECONFIG', 'at least one existing kubeconfig file', env.KUBECONFIG);
    kubeConfig = merged(files);
  } else {
    const home = join(env.HOME ?? homedir(), '.kube', 'config');
    if (!existsSync(home))
      throw new ConfigError('--kubeconfig', `a kubeconfig (none at ${home}, KUBECONFIG not set)`);
    kubeConfig = loadKubeconfigFile(home);
  }
  if (context !== undefined) {
    if (kubeConfig.getContextObject(context) === null) {
      const names = kubeConfig.getContexts().map((c) => c.name);
      throw new ConfigError(
        '--context',
        `a context of the kubeconfig (${names.length > 0 ? names.join(', ') : 'it has none'})`,
        context,
      );
    }
    kubeConfig.setCurrentContext(context);
  }
  if (kubeConfig.getCurrentCluster() === null)
    throw new ConfigError('--context', 'a context that names a cluster of the kubeconfig');
  return kubeConfig;
}

function merged(files: readonly string[]): KubeConfig {
  const byName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const configs = files.map((file) => loadKubeconfigFile(file));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: byName(configs.map((c) => c.getClusters())),
    users: byName(configs.map((c) => c.getUsers())),
    contexts: byName(configs.map((c) => c.getContexts())),
    // A file without current-context reads as undefined, whatever the type says.
    currentContext:
      configs
        .map((c) => c.getCurrentContext() as string | undefined)
        .find((name) => name !== undefined && name !== '') ?? '',
  });
  return kubeConfig;
}
