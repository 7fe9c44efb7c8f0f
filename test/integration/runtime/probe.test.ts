import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { expect } from 'chai';
import { BackendHealthTracker } from '../../../src/runtime/backend-health-tracker.js';
import { McpProber, type ProbeOptions } from '../../../src/runtime/mcp-prober.js';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
  type ScriptedMcpServerOptions,
} from '../../../src/demo/scripted-mcp-server.js';
import { closedPort } from '../../support/mcp/closed-port.js';
import { eventually } from '../../support/mcp/eventually.js';

describe('McpProber against real MCP servers on loopback', function () {
  const servers: ScriptedMcpServer[] = [];
  const probers: McpProber[] = [];

  afterEach(async function () {
    await Promise.all(probers.splice(0).map((p) => p.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(options: ScriptedMcpServerOptions = {}): Promise<ScriptedMcpServer> {
    const server = await startScriptedMcpServer(options);
    servers.push(server);
    return server;
  }

  function prober(backend: Partial<BackendConfig> & { url: string }, options: ProbeOptions = {}) {
    const p = new McpProber({ name: 'b', ...backend }, { probeTimeoutMs: 5_000, ...options });
    probers.push(p);
    return p;
  }

  it('finds a healthy backend and counts its tools', async function () {
    const server = await serve({ tools: 4 });
    const result = await prober({ url: server.url }).probe();
    expect(result).to.include({ outcome: 'healthy', toolCount: 4 });
    expect(result.errorCategory).to.equal(undefined);
  });

  it('follows tools/list pagination to count every tool', async function () {
    const server = await serve({ tools: 23, pageSize: 5 });
    const result = await prober({ url: server.url }).probe();
    expect(result).to.include({ outcome: 'healthy', toolCount: 23 });
    expect(server.count('tools/list')).to.equal(5);
  });

  it('reports a backend slower than the threshold as degraded', async function () {
    const server = await serve({ delayMs: 150 });
    const result = await prober({ url: server.url }, { degradedThresholdMs: 100 }).probe();
    expect(result.outcome).to.equal('degraded');
    expect(result.latencyMs).to.be.greaterThan(100);
    expect(result.toolCount).to.equal(3);
  });

  it('reuses the session: one initialize, then one ping per probe', async function () {
    const server = await serve();
    const p = prober({ url: server.url });
    for (let i = 0; i < 3; i++) expect((await p.probe()).outcome).to.equal('healthy');
    expect(server.count('initialize')).to.equal(1);
    expect(server.count('ping')).to.equal(3);
    expect(server.count('tools/list')).to.equal(1);
  });

  it('re-lists tools after notifications/tools/list_changed, and only then', async function () {
    const server = await serve({ tools: 3 });
    const p = prober({ url: server.url }, { relistToolsEvery: 1_000 });
    expect((await p.probe()).toolCount).to.equal(3);
    // The standalone SSE stream that carries the notification opens after initialize.
    await eventually(() => server.count('GET') >= 1);

    await server.setToolCount(5, { notify: false });
    expect((await p.probe()).toolCount).to.equal(3, 'no notification, no re-list');
    expect(server.count('tools/list')).to.equal(1);

    await server.setToolCount(7);
    await eventually(async () => (await p.probe()).toolCount === 7);
    expect(server.count('tools/list')).to.equal(2);
  });

  it('re-lists tools every relistToolsEvery probes without a notification', async function () {
    const server = await serve({ tools: 2 });
    const p = prober({ url: server.url }, { relistToolsEvery: 3 });
    await p.probe();
    await server.setToolCount(6, { notify: false });
    expect((await p.probe()).toolCount).to.equal(2);
    expect((await p.probe()).toolCount).to.equal(2);
    expect((await p.probe()).toolCount).to.equal(6);
  });

  it('starts a new session within one probe when the backend forgot the old one', async function () {
    const server = await serve();
    const p = prober({ url: server.url });
    await p.probe();
    await server.forgetSessions();
    expect((await p.probe()).outcome).to.equal('healthy');
    expect(server.count('initialize')).to.equal(2);
  });

  it('falls back to SSE for a backend that only speaks it', async function () {
    const server = await serve({ transport: 'sse', tools: 6, pageSize: 4 });
    const result = await prober({ url: server.url }).probe();
    expect(result).to.include({ outcome: 'healthy', toolCount: 6 });
  });

  it('speaks SSE when told to', async function () {
    const server = await serve({ transport: 'sse', tools: 2 });
    const result = await prober({ url: server.url, transport: 'sse' }).probe();
    expect(result).to.include({ outcome: 'healthy', toolCount: 2 });
  });

  for (const mode of ['unauthorized', 'forbidden'] as const) {
    it(`reports ${mode} as authentication_failed, which the health model reads as unauthenticated without credentials`, async function () {
      const server = await serve({ mode });
      const result = await prober({ url: server.url }).probe();
      expect(result).to.include({ outcome: 'failed', errorCategory: 'authentication_failed' });
      const tracker = new BackendHealthTracker({ name: 'b', url: server.url });
      expect(tracker.record(result, 0).status).to.equal('unauthenticated');
    });
  }

  it('reports rejected credentials as a failure: authentication_failed', async function () {
    const server = await serve({ requiredToken: 'right' });
    const result = await prober({
      url: server.url,
      headers: { Authorization: 'Bearer wrong' },
    }).probe();
    expect(result).to.include({ outcome: 'failed', errorCategory: 'authentication_failed' });
  });

  it('sends configured headers: the right token is healthy', async function () {
    const server = await serve({ requiredToken: 'right' });
    const result = await prober({
      url: server.url,
      headers: { Authorization: 'Bearer right' },
    }).probe();
    expect(result.outcome).to.equal('healthy');
  });

  const failures: [ScriptedMcpServerOptions['mode'], string][] = [
    ['garbage', 'protocol_error'],
    ['close', 'connection_failed'],
    ['unavailable', 'backend_unavailable'],
  ];
  for (const [mode, category] of failures) {
    it(`classifies a backend in mode ${mode} as ${category}`, async function () {
      const server = await serve({ mode });
      const result = await prober({ url: server.url, transport: 'streamable-http' }).probe();
      expect(result).to.include({ outcome: 'failed', errorCategory: category });
      expect(result.errorDetail).to.be.a('string');
    });
  }

  it('classifies a refused connection as connection_failed', async function () {
    const port = await closedPort();
    const result = await prober({ url: `http://127.0.0.1:${port}/mcp` }).probe();
    expect(result).to.include({ outcome: 'failed', errorCategory: 'connection_failed' });
  });

  it('times out on a backend that hangs, and closes the hanging request', async function () {
    const server = await serve({ mode: 'hang' });
    const request = server.nextRequest();
    const result = await prober({ url: server.url }, { probeTimeoutMs: 300 }).probe();
    expect(result).to.include({ outcome: 'failed', errorCategory: 'timeout' });
    await (
      await request
    ).abandoned;
  });

  it('times out on a TCP server that never speaks HTTP', async function () {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    try {
      const result = await prober(
        { url: `http://127.0.0.1:${port}/sse`, transport: 'sse' },
        { probeTimeoutMs: 300 },
      ).probe();
      expect(result).to.include({ outcome: 'failed', errorCategory: 'timeout' });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('recovers on the next probe once a failing backend answers again', async function () {
    const server = await serve();
    const p = prober({ url: server.url });
    expect((await p.probe()).outcome).to.equal('healthy');
    server.mode = 'unavailable';
    expect((await p.probe()).errorCategory).to.equal('backend_unavailable');
    server.mode = 'ok';
    expect((await p.probe()).outcome).to.equal('healthy');
  });

  it('rejects with the reason when its signal aborts mid-probe', async function () {
    const server = await serve({ mode: 'hang' });
    const controller = new AbortController();
    const request = server.nextRequest();
    const probe = prober({ url: server.url }).probe(controller.signal);
    await request;
    controller.abort(new Error('removed'));
    let error: unknown;
    await probe.catch((err: unknown) => (error = err));
    expect((error as Error).message).to.equal('removed');
  });
});

describe('McpProber cut off during its handshake', function () {
  it('closes the session the handshake still opened, instead of keeping it', async function () {
    const server = await startScriptedMcpServer({ tools: 1 });
    const p = new McpProber({ name: 'b', url: server.url }, { probeTimeoutMs: 5_000 });
    try {
      const controller = new AbortController();
      // The session exists on the server once `initialize` is answered; the client's
      // connect ends only after `notifications/initialized`, held back here, so the
      // probe is cut off in between.
      server.on('request', (request: { rpcMethod?: string }) => {
        if (request.rpcMethod === 'notifications/initialized') {
          server.delayMs = 300;
          controller.abort(new Error('removed'));
        }
      });
      const outcome = await p.probe(controller.signal).catch((err: unknown) => err);
      expect((outcome as Error).message).to.equal('removed');
      expect(server.sessionCount, 'the session the handshake opened').to.equal(1);
      await eventually(() => server.sessionCount === 0, {
        what: 'the late session closed by the prober',
      });
    } finally {
      await p.close();
      await server.close();
    }
  });
});
