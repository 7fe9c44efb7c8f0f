// A small vMCP on the public API alone: one MCP session per backend, shared by the
// calls it routes and the probes; every call's outcome goes into the same health model
// as the probes; the status counts what it serves. Run it with backends as name=url
// arguments, or none to start two tiny ones:
//
//   npx tsx examples/embed-vmcp.ts [github=http://127.0.0.1:8080/mcp ...]
//
// It serves MCP at the URL it prints; status lines go to stderr.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplaySubject, of } from 'rxjs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  ListToolsRequestSchema,
  McpError,
  ErrorCode,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  BackendHealthModel,
  createReporter,
  startStatusReporting,
  type BackendConfig,
  type ServedCatalogue,
} from 'vmcp-status';
import { classifyCallError, clientProber } from 'vmcp-status/mcp';
import { startTinyBackend } from './tiny-mcp-backend.js';

const backends: BackendConfig[] = process.argv.slice(2).map((arg) => {
  const [name = '', url = ''] = arg.split('=', 2);
  return { name, url };
});
if (backends.length === 0) {
  for (const [name, tools] of [
    ['github', ['search', 'fetch']],
    ['jira', ['search', 'create']],
  ] as const) {
    backends.push({ name, url: (await startTinyBackend(name, tools)).url });
  }
}

// One session per backend, opened on first use and dropped when a call fails in
// transport, so the next call (or probe) reconnects.
const sessions = new Map<string, Promise<Client>>();
function session(backend: BackendConfig): Promise<Client> {
  let client = sessions.get(backend.name);
  if (client === undefined) {
    const c = new Client({ name: 'embed-vmcp', version: '1.0.0' });
    client = c.connect(new StreamableHTTPClientTransport(new URL(backend.url))).then(() => c);
    client.catch(() => sessions.delete(backend.name));
    sessions.set(backend.name, client);
  }
  return client;
}

const health = new BackendHealthModel({ unhealthyThreshold: 3 });

/** One call to a backend, its outcome recorded in the health model. */
async function call<T>(backend: BackendConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await work(await session(backend));
    health.recordCall(backend.name, { kind: 'success' }); // a tool's isError result too
    return result;
  } catch (err) {
    const outcome = classifyCallError(err, performance.now() - started);
    health.recordCall(backend.name, outcome);
    if (outcome.kind !== 'success') sessions.delete(backend.name);
    throw err;
  }
}

// What each backend offers, and what is served: a usable backend's tools, a name
// going to the first backend that has it (a conflict drops the others' tool).
const offered = new Map<string, Tool[]>();
// The first catalogue goes out once every backend was listed once: the first report waits for it.
const served$ = new ReplaySubject<ServedCatalogue>(1);
const owners = new Map<string, BackendConfig>();
let listedOnce = false;
function serve(): void {
  if (!listedOnce) return;
  owners.clear();
  const catalogue = new Map<string, string[]>();
  for (const backend of backends) {
    const status = health.health(backend.name)?.status;
    const usable = status === 'healthy' || status === 'degraded';
    const names: string[] = [];
    for (const tool of usable ? (offered.get(backend.name) ?? []) : []) {
      if (owners.has(tool.name)) continue;
      owners.set(tool.name, backend);
      names.push(tool.name);
    }
    catalogue.set(backend.name, names);
  }
  served$.next(catalogue);
}
async function list(backend: BackendConfig): Promise<void> {
  const { tools } = await call(backend, (client) => client.listTools());
  offered.set(backend.name, tools);
  serve();
}
// A health change changes what is served; a backend that comes back is listed again.
health.events$.subscribe((event) => {
  serve();
  if (event.status === 'healthy' && !offered.has(event.name)) {
    const backend = backends.find((b) => b.name === event.name);
    if (backend !== undefined) list(backend).catch(() => undefined);
  }
});

const { reporter } = await createReporter(); // the log here; Kubernetes in a pod
const reporting = startStatusReporting({
  backends$: of(backends),
  reporter,
  health,
  served$,
  monitor: { createProber: (backend) => clientProber(() => session(backend)) },
});
await Promise.allSettled(backends.map((backend) => list(backend)));
listedOnce = true;
serve();

// The vMCP's own endpoint: tools/list is what is served, tools/call goes to the owner.
// The low-level Server (the SDK calls it "advanced"): a vMCP forwards requests as they come.
// eslint-disable-next-line @typescript-eslint/no-deprecated
function mcpServer(): Server {
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const server = new Server(
    { name: 'embed-vmcp', version: '1.0.0' },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...owners].flatMap(([name, backend]) =>
      (offered.get(backend.name) ?? []).filter((tool) => tool.name === name),
    ),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const backend = owners.get(request.params.name);
    if (backend === undefined) {
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
    }
    return call(backend, (client) =>
      client.request({ method: 'tools/call', params: request.params }, CallToolResultSchema, {
        signal: extra.signal,
        timeout: 10_000,
      }),
    );
  });
  return server;
}
const http = createServer((req, res) => {
  // Stateless: a server per request, as the MCP SDK shows it.
  const server = mcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => void server.close());
  void server.connect(transport).then(() => transport.handleRequest(req, res));
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
console.log(
  `vmcp listening at http://127.0.0.1:${String((http.address() as AddressInfo).port)}/mcp`,
);

process.once('SIGTERM', () => {
  http.close();
  void reporting.stop().then(() => process.exit(0));
});
