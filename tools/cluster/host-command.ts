import { spawnSync } from 'node:child_process';

/** What a host command printed. */
export interface HostCommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A host command (ip, iptables, umount, …) that failed. */
export class HostCommandError extends Error {
  readonly reason = 'HostCommandFailed';
  constructor(
    readonly command: string,
    readonly result: HostCommandResult,
  ) {
    super(
      `${command} failed (exit ${String(result.code)}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = 'HostCommandError';
  }
}

/**
 * Runs a command of this machine synchronously (setting up and tearing down the node
 * are short, ordered steps). Throws {@link HostCommandError} on a non-zero exit unless
 * `mayFail`.
 */
export function hostCommand(
  command: string,
  args: readonly string[],
  options: {
    readonly mayFail?: boolean;
    readonly input?: string;
    readonly timeoutMs?: number;
  } = {},
): HostCommandResult {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    input: options.input,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const out: HostCommandResult = {
    code: result.error !== undefined ? -1 : (result.status ?? -1),
    stdout: result.stdout,
    stderr:
      result.error === undefined
        ? result.stderr
        : (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
          ? `killed after ${String(timeoutMs / 1_000)} s (timeout)\n${result.stderr}`
          : result.error.message,
  };
  if (out.code !== 0 && options.mayFail !== true) {
    throw new HostCommandError(`${command} ${args.join(' ')}`, out);
  }
  return out;
}
