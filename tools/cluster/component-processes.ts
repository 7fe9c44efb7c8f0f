import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every component started in this process and not detached: killed when it exits. */
const live = new Set<ChildProcess>();

/** SIGKILLs every live component (the process is exiting: nothing may outlive it). */
export function killEveryComponent(): void {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * The processes of one control plane and its node, by name: each logs to
 * `<dir>/<name>.log`; `onPid` hears of each start (a pid) and stop (undefined), so a
 * detached plane can be stopped later from its recorded pids.
 */
export class ComponentProcesses {
  readonly #byName = new Map<string, ChildProcess>();

  constructor(
    private readonly dir: string,
    private readonly detached: boolean,
    private readonly onPid: (name: string, pid: number | undefined) => void,
  ) {}

  /** Starts `path` (the component's binary) as `name`; returns its pid. */
  spawn(
    name: string,
    args: readonly string[],
    path: string,
    env: NodeJS.ProcessEnv = process.env,
  ): number {
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(path, args, { stdio: ['ignore', log, log], detached: this.detached, env });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`cannot start ${path}`);
    this.#byName.set(name, child);
    if (this.detached) child.unref();
    else live.add(child);
    child.once('exit', () => live.delete(child));
    this.onPid(name, child.pid);
    return child.pid;
  }

  /** The running process of `name`, if any. */
  get(name: string): ChildProcess | undefined {
    return this.#byName.get(name);
  }

  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  async kill(name: string): Promise<void> {
    const child = this.#byName.get(name);
    this.#byName.delete(name);
    this.onPid(name, undefined);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    live.delete(child);
  }

  /** The last lines a component logged: for error messages. */
  logTail(name: string, lines = 30): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), 'utf8')
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }
}
