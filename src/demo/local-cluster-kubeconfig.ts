import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `npm run cluster:up` keeps the local cluster's state, its admin kubeconfig
 * among it: `$XDG_CACHE_HOME/vmcp-status/cluster`, else `~/.cache/vmcp-status/cluster`.
 * `scripts/cluster.ts` writes there and the demo reads there, so both use this. Pure
 * but for the home folder's default.
 */
export function localClusterDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  const cache =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ''
      ? env.XDG_CACHE_HOME
      : join(home, '.cache');
  return join(cache, 'vmcp-status', 'cluster');
}

/** The local cluster's admin kubeconfig (see {@link localClusterDir}). */
export function localClusterKubeconfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  return join(localClusterDir(env, home), 'admin.kubeconfig');
}
