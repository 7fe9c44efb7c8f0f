import { expect } from 'chai';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { of, type Subscription } from 'rxjs';
import { ConfigError } from '../../../src/errors.js';
import { clientProber } from '../../../src/runtime/client-prober.js';
import { monitorBackends } from '../../../src/runtime/monitor.js';
import { VmcpServer, type VmcpServerOptions } from '../../../src/server/vmcp-server.js';
import { startScriptedMcpServer } from '../../../src/demo/scripted-mcp-server.js';
import { eventually } from '../../support/mcp/eventually.js';
import {
  startEverythingBackend,
  type EverythingBackend,
} from '../../support/mcp/everything-backend.js';

const text = (result: unknown) =>
  ((result as CallToolResult).content[0] as { text?: string } | undefined)?.text ?? '';

/** An MCP client of the vMCP, with the capabilities a rich client has. */
async function connect(url: string, name = 'client'): Promise<Client> {
  const client = new Client(
    { name, version: '1' },
    { capabilities: { sampling: {}, elicitation: {}, roots: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, (request) => ({
    role: 'assistant',
    model: 'test',
    content: {
      type: 'text',
      text: `${name} sampled "${JSON.stringify(request.params.messages[0]?.content)}"`,
    },
  }));
  client.setRequestHandler(ElicitRequestSchema, () => ({
    action: 'accept',
    content: { response: name },
  }));
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: `file:///${name}` }] }));
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe('VmcpServer', function () {
  this.timeout(60_000);
  const started: Array<{ close(): Promise<void> }> = [];
  const probing: Subscription[] = [];
  afterEach(async () => {
    for (const sub of probing.splice(0)) sub.unsubscribe();
    for (const thing of started.splice(0).reverse()) await thing.close().catch(() => undefined);
  });

  async function backend(name: string): Promise<EverythingBackend> {
    const b = await startEverythingBackend(name);
    started.push(b);
    return b;
  }
  async function vmcp(options: Partial<VmcpServerOptions> & Pick<VmcpServerOptions, 'backends'>) {
    const server = await VmcpServer.start({ port: 0, ...options });
    started.push(server);
    return server;
  }
  async function client(url: string, name?: string) {
    const c = await connect(url, name);
    started.push(c);
    return c;
  }
  /** Probes through the vMCP's own sessions, as `vmcp-status run` does. */
  function probe(
    server: VmcpServer,
    backends: VmcpServerOptions['backends'],
    probeIntervalMs = 50,
  ) {
    probing.push(
      monitorBackends(of(backends), {
        health: server.health,
        probeIntervalMs,
        probeTimeoutMs: 2_000,
        createProber: (b) => clientProber(server.backendClient(b.name)),
      }).subscribe(),
    );
  }

  describe('aggregation and routing', function () {
    it('serves both backends prefixed (the default) and routes each call to its owner under its own name', async function () {
      const [a, b] = [await backend('a'), await backend('b')];
      const server = await vmcp({
        backends: [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
      });
      const c = await client(server.url);
      const { tools } = await c.listTools();
      expect(tools.map((t) => t.name)).to.include.members([
        'a_test_simple_text',
        'b_test_simple_text',
      ]);
      expect(tools.length).to.equal(server.catalogue.tools.length);
      expect([...server.catalogue.served.values()].flat().length).to.equal(tools.length);
      expect(text(await c.callTool({ name: 'b_test_simple_text', arguments: {} }))).to.match(
        /simple text/,
      );
      // Resources are deduplicated by URI, never renamed; prompts are prefixed.
      const { resources } = await c.listResources();
      expect(resources.map((r) => r.uri)).to.deep.equal([
        'test://static-binary',
        'test://static-text',
        'test://watched-resource',
      ]);
      const read = await c.readResource({ uri: 'test://template/7/data' });
      expect((read.contents[0] as { text: string }).text).to.include('"id":"7"');
      const { prompts } = await c.listPrompts();
      expect(prompts.map((p) => p.name)).to.include.members([
        'a_test_simple_prompt',
        'b_test_simple_prompt',
      ]);
      const prompt = await c.getPrompt({
        name: 'b_test_prompt_with_arguments',
        arguments: { arg1: 'x', arg2: 'y' },
      });
      expect(JSON.stringify(prompt.messages)).to.include("arg1='x'");
      const completion = await c.complete({
        ref: { type: 'ref/prompt', name: 'a_test_prompt_with_arguments' },
        argument: { name: 'arg1', value: 'par' },
      });
      expect(completion.completion.values).to.deep.equal(['paris', 'park', 'party']);
      // One session per backend, whatever the clients do.
      expect([a.initializes(), b.initializes()]).to.deep.equal([1, 1]);
    });

    it('refuses to start under the manual strategy while a tool name is left to two backends, naming it', async function () {
      const [a, b] = [await backend('a'), await backend('b')];
      const err = await VmcpServer.start({
        port: 0,
        backends: [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
        aggregation: {
          conflictResolution: 'manual',
          tools: [{ workload: 'a', overrides: { test_simple_text: { name: 'a_text' } } }],
        },
      }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(
        /^aggregation\.tools: .*unresolved: .*test_sampling from a, b/,
      );
      expect((err as Error).message).to.not.match(/test_simple_text from/);
    });

    it('tells live sessions when a backend adds a tool, and serves it', async function () {
      const a = await backend('a');
      const server = await vmcp({ backends: [{ name: 'a', url: a.url }] });
      const c = await client(server.url);
      let told = 0;
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        told++;
      });
      await a.addTool();
      await eventually(() => told > 0, { what: 'notifications/tools/list_changed' });
      expect((await c.listTools()).tools.map((t) => t.name)).to.include('a_test_added_1');
    });
  });

  describe('health from what clients see', function () {
    it('a backend that answers ping but hangs calls turns unhealthy, and its tools leave', async function () {
      const [a, b] = [await backend('a'), await backend('b')];
      const backends = [
        { name: 'a', url: a.url },
        { name: 'b', url: b.url },
      ];
      const server = await vmcp({ backends, callTimeoutMs: 200 });
      probe(server, backends, 60_000); // probes would pass: ping answers
      const c = await client(server.url);
      let told = 0;
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        told++;
      });
      for (let i = 0; i < 3; i++) {
        const failed = await c.callTool({ name: 'b_test_slow', arguments: { ms: -1 } }).then(
          () => false,
          () => true,
        );
        expect(failed).to.equal(true);
      }
      expect(server.health.health('b')).to.include({
        status: 'unhealthy',
        errorCategory: 'timeout',
      });
      await eventually(() => told > 0, { what: 'list_changed after b left' });
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names.some((n) => n.startsWith('b_'))).to.equal(false);
      expect(names.some((n) => n.startsWith('a_'))).to.equal(true);
    });

    it('a slow backend holds up neither another backend’s calls nor a session’s initialize', async function () {
      const [a, b] = [await backend('a'), await backend('b')];
      const server = await vmcp({
        backends: [
          { name: 'a', url: a.url },
          { name: 'b', url: b.url },
        ],
        callTimeoutMs: 1_500,
      });
      const c = await client(server.url);
      const order: string[] = [];
      const slow = c.callTool({ name: 'b_test_slow', arguments: { ms: -1 } }).then(
        () => order.push('slow answered'),
        () => order.push('slow failed'),
      );
      await c.callTool({ name: 'a_test_simple_text', arguments: {} });
      order.push('fast answered');
      await client(server.url, 'late');
      order.push('new session initialized');
      await slow;
      expect(order).to.deep.equal(['fast answered', 'new session initialized', 'slow failed']);
    });

    it('a dead backend leaves, and comes back when it answers again', async function () {
      const a = await backend('a');
      const dead = await startScriptedMcpServer({ name: 'b', tools: 2 });
      started.push(dead);
      const backends = [
        { name: 'a', url: a.url },
        { name: 'b', url: dead.url },
      ];
      const server = await vmcp({ backends });
      probe(server, backends);
      const c = await client(server.url);
      const bTools = async () =>
        (await c.listTools()).tools.filter((t) => t.name.startsWith('b_')).length;
      expect(await bTools()).to.equal(2);
      dead.mode = 'unavailable';
      await eventually(async () => (await bTools()) === 0, { what: 'b to leave' });
      dead.mode = 'ok';
      await eventually(async () => (await bTools()) === 2, { what: 'b to come back' });
      // Every recovery passes through degraded (served) for one probe, then healthy.
      await eventually(() => server.health.health('b')?.status === 'healthy', {
        what: 'b to be healthy again',
      });
    });
  });

  describe('forwarding to the client whose call caused it', function () {
    it('sampling, elicitation and roots go to the calling session, each of two at once', async function () {
      const a = await backend('a');
      const server = await vmcp({
        backends: [{ name: 'a', url: a.url }],
        aggregation: {
          conflictResolution: 'priority',
          conflictResolutionConfig: { priorityOrder: ['a'] },
        },
      });
      const [one, two] = [await client(server.url, 'one'), await client(server.url, 'two')];
      const results = await Promise.all(
        [one, two].flatMap((c) => [
          c.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } }),
          c.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } }),
          c.callTool({ name: 'test_list_roots', arguments: {} }),
        ]),
      );
      const texts = results.map(text);
      expect(texts[0]).to.match(/one sampled/);
      expect(texts[1]).to.include('"response":"one"');
      expect(texts[2]).to.equal('roots: file:///one');
      expect(texts[3]).to.match(/two sampled/);
      expect(texts[4]).to.include('"response":"two"');
      expect(texts[5]).to.equal('roots: file:///two');
    });

    it('progress under the client’s own token, its log lines, and cancellation reach through', async function () {
      const a = await backend('a');
      const server = await vmcp({
        backends: [{ name: 'a', url: a.url }],
        aggregation: {
          conflictResolution: 'priority',
          conflictResolutionConfig: { priorityOrder: ['a'] },
        },
      });
      const c = await client(server.url);
      const progress: number[] = [];
      await c.request(
        { method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {} } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(progress).to.deep.equal([0, 50, 100]);

      const logs: unknown[] = [];
      c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logs.push(n.params.data);
      });
      await c.setLoggingLevel('info');
      await c.callTool({ name: 'test_tool_with_logging', arguments: {} });
      expect(logs).to.deep.equal([
        'Tool execution started',
        'Tool processing data',
        'Tool execution completed',
      ]);
      await c.setLoggingLevel('error');
      await c.callTool({ name: 'test_tool_with_logging', arguments: {} });
      expect(logs).to.have.length(3, 'info lines are below the level the client asked for');

      const abort = new AbortController();
      const call = c.request(
        { method: 'tools/call', params: { name: 'test_slow', arguments: { ms: 30_000 } } },
        CallToolResultSchema,
        { signal: abort.signal },
      );
      await eventually(() => a.sessions() > 0);
      setTimeout(() => {
        abort.abort('the user gave up');
      }, 100);
      expect(
        await call.then(
          () => 'answered',
          () => 'cancelled',
        ),
      ).to.equal('cancelled');
      await eventually(() => a.cancelled() === 1, { what: 'the backend call to be cancelled' });
    });
  });

  describe('bad input', function () {
    /** A raw POST (node:http: fetch would not send a Host or Origin of the test's choosing). */
    const post = (url: string, body: string, headers: Record<string, string> = {}) =>
      new Promise<Response>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 }));
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'x', version: '1' },
      },
    });

    it('answers malformed JSON-RPC, oversized bodies, unknown sessions and foreign hosts with errors', async function () {
      const a = await backend('a');
      const server = await vmcp({ backends: [{ name: 'a', url: a.url }], maxBodyBytes: 1024 });
      const codes = async (response: Response) => {
        const body = (await response.json()) as { error?: { code: number } };
        return [response.status, body.error?.code];
      };
      expect(await codes(await post(server.url, '{"jsonrpc": "2.0", "id": 1, '))).to.deep.equal([
        400, -32700,
      ]);
      expect(await codes(await post(server.url, '{"hello":"world"}'))).to.deep.equal([400, -32700]);
      expect(
        await codes(await post(server.url, JSON.stringify({ pad: 'x'.repeat(4096) }))),
      ).to.deep.equal([413, -32000]);
      expect(
        await codes(await post(server.url, initialize, { 'mcp-session-id': 'no-such-session' })),
      ).to.deep.equal([404, -32001]);
      expect(await codes(await fetch(server.url))).to.deep.equal([400, -32000]);
      expect(
        await codes(await post(server.url, initialize, { host: 'evil.example.com' })),
      ).to.deep.equal([403, -32000]);
      expect(
        await codes(await post(server.url, initialize, { origin: 'http://evil.example.com' })),
      ).to.deep.equal([403, -32000]);
      expect(server.sessionCount).to.equal(0, 'none of these opened a session');
      // And the endpoint still serves.
      expect((await (await client(server.url)).listTools()).tools.length).to.be.greaterThan(10);
    });

    it('caps sessions, and closes idle ones', async function () {
      const a = await backend('a');
      const server = await vmcp({
        backends: [{ name: 'a', url: a.url }],
        maxSessions: 2,
        sessionIdleTimeoutMs: 300,
      });
      await client(server.url);
      const second = await client(server.url);
      const refused = await post(server.url, initialize);
      expect(refused.status).to.equal(503);
      // Idle sessions close (the sweep runs at least every second); the cap frees up.
      await eventually(() => server.sessionCount === 0, { what: 'idle sessions to close' });
      expect(
        await second.ping().then(
          () => 'answered',
          () => 'session gone',
        ),
      ).to.equal('session gone');
      expect((await post(server.url, initialize)).status).to.equal(200);
    });

    it('a backend that answers garbage fails its own calls and nothing else', async function () {
      const a = await backend('a');
      const garbage = await startScriptedMcpServer({ name: 'g', tools: 1 });
      started.push(garbage);
      const server = await vmcp({
        backends: [
          { name: 'a', url: a.url },
          { name: 'g', url: garbage.url },
        ],
      });
      const c = await client(server.url);
      garbage.mode = 'garbage';
      const err = await c.callTool({ name: 'g_tool-1', arguments: {} }).catch((e: unknown) => e);
      expect((err as Error).message).to.match(/backend g did not answer \(protocol\)/);
      expect((err as Error).message).to.not.match(/garbage|<|\{/);
      expect(text(await c.callTool({ name: 'a_test_simple_text', arguments: {} }))).to.match(
        /simple/,
      );
    });
  });
});
