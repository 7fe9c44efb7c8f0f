import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanUpNode, readNodeRecord } from './node-cleanup.js';

/**
 * Stops a control plane that `ControlPlane.start({ detached: true, dir })` left
 * running, from the pids it recorded in `dir/state.json`: SIGTERM, then SIGKILL after
 * 10 s; then removes everything its node made. False when `dir` holds no plane.
 */
export async function stopDetachedPlane(dir: string): Promise<boolean> {
  let state: { pids: Record<string, number> };
  try {
    state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      pids: Record<string, number>;
    };
  } catch {
    return false;
  }
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const pids = Object.values(state.pids).filter(alive);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(100);
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
  const record = readNodeRecord();
  if (record !== undefined && record.dir.startsWith(`${dir}/`)) {
    const left = cleanUpNode(record);
    if (left.length > 0) throw new Error(`the node left: ${left.join(', ')}`);
  }
  return true;
}
