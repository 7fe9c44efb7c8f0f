import { setTimeout as sleep } from 'node:timers/promises';

/** How to tell that a component is up, and what to say when it is not. */
export interface ComponentUpCheck {
  readonly name: string;
  readonly timeoutMs: number;
  readonly everyMs: number;
  /** True once up, else why not (a throw counts as not yet, with its message). */
  check(): Promise<true | string>;
  /** The process's exit code once it exited (null or undefined while it runs). */
  exited(): number | null | undefined;
  logTail(): string;
}

/** Polls until `check` says up; throws with the log's tail when it exits or times out. */
export async function waitComponentUp(up: ComponentUpCheck): Promise<void> {
  const deadline = Date.now() + up.timeoutMs;
  let last: string;
  for (;;) {
    const code = up.exited();
    if (code != null) {
      throw new Error(`${up.name} exited with code ${String(code)}:\n${up.logTail()}`);
    }
    try {
      const answer = await up.check();
      if (answer === true) return;
      last = answer;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${up.name} not ready after ${String(up.timeoutMs)} ms (${last}):\n${up.logTail()}`,
      );
    }
    await sleep(up.everyMs);
  }
}
