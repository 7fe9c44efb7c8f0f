import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Check, Timeline } from './timelines.js';

const SOURCE_DIR = fileURLToPath(new URL('./toolhive-baseline/', import.meta.url));
const GO_ENV = fileURLToPath(new URL('../tools/k8s/go-env.sh', import.meta.url));

/** What bench/toolhive-baseline/config.go reads. */
export interface BaselineConfig {
  readonly kubeconfig: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespace: string;
  readonly roles: { reporter: boolean; projection: boolean; operatorWriter: boolean };
  readonly reportIntervalMs: number;
  readonly operatorWriteIntervalMs: number;
  readonly vmcps: ReadonlyArray<{ name: string; timeline: number }>;
  readonly timelines: ReadonlyArray<{
    backends: Timeline['backends'];
    initial: readonly Check[];
    events: readonly Check[];
  }>;
}

/** What the baseline counted after `start`: calls it made, by kind, and the first errors. */
export interface BaselineSummary {
  readonly counts: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
}

/**
 * The path of the Go baseline's binary, built with the machine's Go (tools/k8s/go-env.sh
 * finds it; no toolchain download) into `~/.cache/vmcp-status/bench/`, keyed by a hash
 * of its sources: a changed source builds anew, an unchanged one is reused.
 */
export function buildToolhiveBaseline(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(SOURCE_DIR).sort()) {
    if (!/\.go$|^go\.(mod|sum)$/.test(file)) continue;
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(SOURCE_DIR, file)))
      .update('\0');
  }
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const dir = join(
    cacheRoot,
    'vmcp-status',
    'bench',
    `toolhive-baseline-${hash.digest('hex').slice(0, 16)}`,
  );
  const binary = join(dir, 'toolhive-baseline');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  console.error(`building the ToolHive baseline (Go) into ${dir} ...`);
  const partial = `${binary}.partial-${String(process.pid)}`;
  const result = spawnSync(
    'bash',
    [
      '-c',
      '. "$1" && GOFLAGS=-mod=readonly exec "$GO" build -trimpath -o "$2" .',
      '_',
      GO_ENV,
      partial,
    ],
    { cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `go build of bench/toolhive-baseline failed (exit ${String(result.status)}): see above`,
    );
  }
  renameSync(partial, binary);
  return binary;
}

/** A running Go baseline: `start` replays the timelines, `stop` ends it and returns its counts. */
export class ToolhiveBaseline {
  readonly #lines: string[] = [];
  readonly #waiters: Array<(line: string) => void> = [];
  #exited: Promise<number | null>;
  #stderr = '';

  private constructor(private readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on('line', (line) => {
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) waiter(line);
      else this.#lines.push(line);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-8000);
    });
    this.#exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /** Spawns the binary with `config` on stdin and waits until every role runs. */
  static async start(binary: string, config: BaselineConfig): Promise<ToolhiveBaseline> {
    const child = spawn(binary, ['-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const baseline = new ToolhiveBaseline(child);
    child.stdin.write(`${JSON.stringify(config)}\n`);
    const ready = await baseline.#nextLine();
    if (!ready.includes('"ready":true')) {
      throw new Error(`the ToolHive baseline did not start: ${ready}\n${baseline.#stderr}`);
    }
    return baseline;
  }

  /** Timeline time 0 is `atMs` (Unix ms, wall clock). */
  start(atMs: number): void {
    this.child.stdin?.write(`start ${String(Math.round(atMs))}\n`);
  }

  /** What it counted from `start` until now; it goes on running. */
  async mark(): Promise<BaselineSummary> {
    this.child.stdin?.write('mark\n');
    return this.#summary(await this.#nextLine());
  }

  /** Stops every role and returns what it counted after `start`. */
  async stop(): Promise<BaselineSummary> {
    this.child.stdin?.write('stop\n');
    const line = await this.#nextLine();
    await this.#exited;
    return this.#summary(line);
  }

  #summary(line: string): BaselineSummary {
    try {
      return JSON.parse(line) as BaselineSummary;
    } catch {
      throw new Error(`the ToolHive baseline printed no summary: ${line}\n${this.#stderr}`);
    }
  }

  #nextLine(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return Promise.race([
      new Promise<string>((resolve) => this.#waiters.push(resolve)),
      this.#exited.then((code) => `(exited with code ${String(code)}) ${this.#stderr}`),
    ]);
  }
}
