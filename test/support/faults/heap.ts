import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// mocha runs without --expose-gc; V8 can still hand out its gc function to a new context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes to MiB with one decimal, for log lines. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** `heapUsed` after full collections, once timers and sockets that were due have run. */
export async function settledHeapUsed(): Promise<number> {
  await sleep(100);
  gc();
  await sleep(50);
  gc();
  return process.memoryUsage().heapUsed;
}
