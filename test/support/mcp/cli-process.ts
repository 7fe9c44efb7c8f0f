import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';

/** The built CLI. `npm test` builds it first; alone, run `npx tsc -p tsconfig.build.json`. */
export const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

/** Fails (never skips) when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) {
    throw new Error(
      `${CLI} is missing: build first (npx tsc -p tsconfig.build.json; npm test does)`,
    );
  }
}

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * The CLI (or another script: `options.script`) in a child process on the Node running
 * the tests, with its output collected; JSON lines of stdout and stderr are parsed.
 */
export class CliProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    args: readonly string[],
    env: Record<string, string | undefined> = {},
    options: {
      readonly script?: string;
      readonly cwd?: string;
      /** Node's own flags, before the script. */
      readonly nodeArgs?: readonly string[];
    } = {},
  ) {
    // Log mode, whatever the environment of the test run says.
    const cleared = new Set([
      'VMCP_NAME',
      'VMCP_NAMESPACE',
      'KUBERNETES_SERVICE_HOST',
      'VMCP_STATUS_REPORTER',
      'LOG_LEVEL',
      'KUBECONFIG',
    ]);
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !cleared.has(name)),
    );
    this.child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), options.script ?? CLI, ...args],
      {
        // A free port unless a test asks for one: replicas and parallel runs never
        // fight over the default 4483.
        env: { VMCP_PORT: '0', ...base, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      },
    );
    const parseLines = () => {
      let partial = '';
      return (chunk: string): void => {
        partial += chunk;
        const complete = partial.split('\n');
        partial = complete.pop() ?? '';
        for (const line of complete) {
          try {
            this.lines.push(JSON.parse(line) as LogLine);
          } catch {
            // not a log line (help, version, an error message)
          }
        }
      };
    };
    const fromStdout = parseLines();
    const fromStderr = parseLines();
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      fromStdout(chunk);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      fromStderr(chunk);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
  }

  /** Resolves with the first log line (from index `from`) that matches. */
  async line(
    match: (line: LogLine) => boolean,
    { from = 0, timeoutMs = 30_000, what = 'a log line' } = {},
  ): Promise<LogLine> {
    let found: LogLine | undefined;
    await eventually(
      () => {
        if (this.child.exitCode !== null)
          throw new Error(
            `the CLI exited (${this.child.exitCode}) before ${what}:\n${this.stdout}\n${this.stderr}`,
          );
        found = this.lines.slice(from).find(match);
        return found !== undefined;
      },
      { timeoutMs, what },
    );
    return found!;
  }

  /** Index of a line in {@link lines}. */
  indexOf(line: LogLine): number {
    return this.lines.indexOf(line);
  }

  /** Resolves with the exit code, killing the process if it outlives `timeoutMs`. */
  async exitCode(timeoutMs = 30_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Runs the CLI to its end: exit code and output. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
) {
  const cli = new CliProcess(args, env);
  const code = await cli.exitCode();
  return { code, stdout: cli.stdout, stderr: cli.stderr, lines: cli.lines };
}
