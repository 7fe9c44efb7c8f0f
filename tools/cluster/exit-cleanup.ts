import { rmSync } from 'node:fs';
import { killEveryComponent } from './component-processes.js';
import { cleanUpNode, readNodeRecord } from './node-cleanup.js';

const ownedDirs = new Set<string>();

/** Removes `dir` when this process exits (a plane's folder it made). */
export function removeOnExit(dir: string): void {
  ownedDirs.add(dir);
}

/** Forgets `dir` (it was removed already). */
export function forgetOnExit(dir: string): void {
  ownedDirs.delete(dir);
}

// Whatever ends this process (a failed run, Ctrl-C, process.exit), no etcd,
// kube-apiserver or node outlives it unless it was started detached.
process.once('exit', () => {
  killEveryComponent();
  const node = readNodeRecord();
  if (node !== undefined && node.ownerPid === process.pid && !node.detached) cleanUpNode(node);
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.exit(130);
  });
}
