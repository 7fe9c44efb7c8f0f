import { KubeConfig } from '@kubernetes/client-node';

/**
 * A copy of `kc` that reaches its cluster through `server` (a fault proxy or a front
 * on 127.0.0.1) with the same CA and credentials: the apiserver's certificate is valid
 * for 127.0.0.1 whatever the port, so TLS still verifies.
 */
export function kubeConfigVia(kc: KubeConfig, server: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}
