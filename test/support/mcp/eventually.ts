import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `condition` holds, checking every `everyMs`; fails after `timeoutMs`
 * (generous: it bounds a hang, it does not measure speed).
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, everyMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
