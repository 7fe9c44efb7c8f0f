/**
 * `npm run bench:serving`: what serving through the vMCP costs, on loopback, in one run:
 * `tools/call` latency (p50, p99) and calls per second with 1 and 16 concurrent client
 * sessions, straight to a backend (the floor), through this vMCP, and through
 * `mcp-proxy` (an npm MCP proxy, HTTP to HTTP); and the memory an idle session costs
 * the vMCP and the proxy. Prints a table (or JSON with `--json`); asserts nothing.
 *
 *   npm run bench:serving [-- --seconds 5] [-- --idle-sessions 500]
 *
 * Every server runs in a process of its own (bench/serving/), the load from this one;
 * all share the machine's cores, so read ratios from the same run, not absolutes. The
 * goals (issue 25): p50 through the vMCP at most 1.7× direct (two hops against one), at
 * least 70 % of direct throughput at 16 sessions, and ahead of the npm proxy on both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'idle-sessions': { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const idleSessions = Number(values['idle-sessions']);
if (!(seconds > 0) || !Number.isInteger(idleSessions) || idleSessions < 10) {
  console.error('--seconds: a number above 0; --idle-sessions: a whole number of at least 10');
  process.exit(2);
}
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Started {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts a bench/serving/ script on the pinned Node (via tsx) and reads the URL it prints. */
function start(script: string, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', here(`serving/${script}`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`${script} exited (${String(code)}) before it printed its URL`));
    });
    child.stdout.setEncoding('utf8').once('data', (chunk: string) => {
      resolve({ url: chunk.trim().split('\n')[0] ?? '', child });
    });
  });
}

async function session(url: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

interface Load {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

/** `sessions` clients call `echo` back to back for `seconds`, after a warm-up. */
async function load(url: string, sessions: number): Promise<Load> {
  const clients = await Promise.all(Array.from({ length: sessions }, () => session(url)));
  const call = (client: Client) =>
    client.request(
      { method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello' } } },
      CallToolResultSchema,
    );
  for (const client of clients) for (let i = 0; i < 20; i++) await call(client);
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1_000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        const started = performance.now();
        await call(client);
        latencies.push(performance.now() - started);
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), perSecond: latencies.length / seconds };
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${String(pid)}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN);
}

/** The server's resident memory per idle session: `idleSessions` opened and left open. */
async function memoryPerSession(target: Started): Promise<number> {
  // Warm the server up first, so what grows is the sessions, not code paths.
  await load(target.url, 4);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssKiB(target.child.pid ?? 0);
  const clients: Client[] = [];
  for (let i = 0; i < idleSessions; i++) clients.push(await session(target.url));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = rssKiB(target.child.pid ?? 0);
  await Promise.all(clients.map((c) => c.close()));
  return (after - before) / idleSessions;
}

const backend = await start('echo-backend.ts');
const subjects: Array<{ name: string; target: Started | { url: string } }> = [
  { name: 'direct (the floor)', target: { url: backend.url } },
  { name: 'vmcp-status', target: await start('vmcp.ts', { BACKEND_URL: backend.url }) },
  { name: 'mcp-proxy (npm)', target: await start('mcp-proxy.ts', { BACKEND_URL: backend.url }) },
];
const rows: Array<Record<string, string | number>> = [];
try {
  const results = new Map<string, { one: Load; sixteen: Load; kiB?: number }>();
  for (const { name, target } of subjects) {
    const one = await load(target.url, 1);
    const sixteen = await load(target.url, 16);
    const kiB = 'child' in target ? await memoryPerSession(target) : undefined;
    results.set(name, { one, sixteen, ...(kiB === undefined ? {} : { kiB }) });
  }
  const floor = results.get('direct (the floor)');
  for (const [name, r] of results) {
    rows.push({
      subject: name,
      'p50 ms (1)': round(r.one.p50),
      'p99 ms (1)': round(r.one.p99),
      'calls/s (1)': Math.round(r.one.perSecond),
      'p50 ms (16)': round(r.sixteen.p50),
      'p99 ms (16)': round(r.sixteen.p99),
      'calls/s (16)': Math.round(r.sixteen.perSecond),
      'p50 vs direct (1)': floor === undefined ? '' : `${round(r.one.p50 / floor.one.p50)}×`,
      'calls/s vs direct (16)':
        floor === undefined
          ? ''
          : `${Math.round((100 * r.sixteen.perSecond) / floor.sixteen.perSecond)} %`,
      'KiB per idle session': r.kiB === undefined ? '' : round(r.kiB),
    });
  }
  const ours = results.get('vmcp-status');
  const proxy = results.get('mcp-proxy (npm)');
  const verdicts =
    ours === undefined || proxy === undefined || floor === undefined
      ? {}
      : {
          'p50 ≤ 1.7× direct': ours.one.p50 <= 1.7 * floor.one.p50 ? 'yes' : 'no',
          '≥ 70 % of direct calls/s at 16':
            ours.sixteen.perSecond >= 0.7 * floor.sixteen.perSecond ? 'yes' : 'no',
          'p50 ahead of mcp-proxy': ours.one.p50 < proxy.one.p50 ? 'yes' : 'no',
          'calls/s ahead of mcp-proxy':
            ours.sixteen.perSecond > proxy.sixteen.perSecond ? 'yes' : 'no',
        };
  if (values.json) console.log(JSON.stringify({ seconds, idleSessions, rows, verdicts }));
  else {
    console.log(
      `Serving, loopback, ${String(seconds)} s per row, ${String(idleSessions)} idle sessions for memory`,
    );
    console.table(rows);
    console.table([verdicts]);
  }
} finally {
  for (const { target } of subjects) if ('child' in target) target.child.kill();
  backend.child.kill();
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
