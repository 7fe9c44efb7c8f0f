import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../k8s/ensure-binaries.sh', import.meta.url));

/**
 * The folder holding etcd, kube-apiserver, kube-controller-manager and kubectl: the
 * cache (built from Go modules on first use: minutes) or `KUBEBUILDER_ASSETS`.
 * `VMCP_K8S_APISERVER_VERSION=oldest` (or that release's version) gives the oldest
 * supported kube-apiserver and kube-controller-manager instead, beside the pinned etcd
 * and kubectl, and no node's binaries (tools/k8s/ensure-binaries.sh).
 * Build progress goes straight to this process's stderr.
 */
export function ensureBinaries(): string {
  const result = spawnSync('bash', [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.error !== undefined) throw new Error(`cannot run ${script}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${script} failed with exit code ${String(result.status)} (see its messages above)`,
    );
  }
  const dir = result.stdout.trim().split('\n').pop();
  if (dir === undefined || dir === '') throw new Error(`${script} printed no folder`);
  return dir;
}
