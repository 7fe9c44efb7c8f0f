import { expect } from 'chai';
import { BehaviorSubject } from 'rxjs';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
  type ScriptedMcpServerOptions,
} from '../../../src/demo/scripted-mcp-server.js';
import { monitorBackends, type MonitorOptions } from '../../../src/runtime/monitor.js';
import type { BackendHealthEvent } from '../../../src/types.js';
import { Collected } from '../../support/mcp/collect.js';
import { eventually } from '../../support/mcp/eventually.js';

describe('monitorBackends with real MCP servers on loopback', function () {
  const servers: ScriptedMcpServer[] = [];
  const collections: Collected<BackendHealthEvent>[] = [];

  afterEach(async function () {
    for (const c of collections.splice(0)) c.unsubscribe();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(options: ScriptedMcpServerOptions = {}): Promise<ScriptedMcpServer> {
    const server = await startScriptedMcpServer(options);
    servers.push(server);
    return server;
  }

  function watch(
    backends$: BehaviorSubject<readonly BackendConfig[]>,
    options: MonitorOptions = {},
  ): Collected<BackendHealthEvent> {
    const collected = new Collected(
      monitorBackends(backends$, { probeIntervalMs: 50, probeTimeoutMs: 2_000, ...options }),
    );
    collections.push(collected);
    return collected;
  }

  const is =
    (name: string, status: string, failures?: number) =>
    (e: BackendHealthEvent): boolean =>
      e.name === name &&
      e.status === status &&
      (failures === undefined || e.consecutiveFailures === failures);

  it('reports healthy, degraded and unauthenticated backends side by side', async function () {
    const [fast, slow, locked] = await Promise.all([
      serve({ tools: 5, pageSize: 2 }),
      serve({ delayMs: 120 }),
      serve({ mode: 'unauthorized' }),
    ]);
    const events = watch(
      new BehaviorSubject<readonly BackendConfig[]>([
        { name: 'fast', url: fast.url },
        { name: 'slow', url: slow.url },
        { name: 'locked', url: locked.url },
      ]),
      { degradedThresholdMs: 100 },
    );
    expect((await events.next(is('fast', 'healthy'))).toolCount).to.equal(5);
    await events.next(is('slow', 'degraded'));
    await events.next(is('locked', 'unauthenticated'));
  });

  it('turns a failing backend unhealthy only at the threshold, then recovers', async function () {
    const server = await serve();
    const events = watch(
      new BehaviorSubject<readonly BackendConfig[]>([{ name: 'b', url: server.url }]),
      {
        unhealthyThreshold: 3,
      },
    );
    await events.next(is('b', 'healthy', 0));
    server.mode = 'unavailable';
    const firstFailure = await events.next(is('b', 'healthy', 1));
    expect(firstFailure.errorCategory).to.equal('backend_unavailable');
    await events.next(is('b', 'healthy', 2));
    const from = events.values.length;
    await events.next(is('b', 'unhealthy', 3));
    server.mode = 'ok';
    await events.next(is('b', 'degraded', 0), { from });
    await events.next(is('b', 'healthy', 0), { from });
  });

  for (const [mode, behaviour, category] of [
    ['garbage', 'answers garbage', 'protocol_error'],
    ['close', 'closes the connection', 'connection_failed'],
    ['hang', 'hangs', 'timeout'],
  ] as const) {
    it(`marks a backend that ${behaviour} unknown, then unhealthy: ${category}`, async function () {
      const server = await serve({ mode });
      const events = watch(
        new BehaviorSubject<readonly BackendConfig[]>([
          { name: 'b', url: server.url, transport: 'streamable-http' },
        ]),
        { unhealthyThreshold: 2, probeTimeoutMs: 300 },
      );
      const first = await events.next((e) => e.name === 'b');
      expect(first).to.include({ status: 'unknown', errorCategory: category });
      const unhealthy = await events.next(is('b', 'unhealthy'));
      expect(unhealthy.errorCategory).to.equal(category);
    });
  }

  it('follows list_changed to a new tool count', async function () {
    const server = await serve({ tools: 2 });
    const events = watch(
      new BehaviorSubject<readonly BackendConfig[]>([{ name: 'b', url: server.url }]),
      {
        relistToolsEvery: 1_000,
      },
    );
    await events.next((e) => e.toolCount === 2);
    await eventually(() => server.count('GET') > 0, { what: 'the notification stream' });
    await server.setToolCount(9);
    await events.next((e) => e.toolCount === 9);
  });

  it('opens the circuit of a dead backend and stops probing it until the open timeout', async function () {
    const server = await serve({ mode: 'unavailable' });
    const events = watch(
      new BehaviorSubject<readonly BackendConfig[]>([{ name: 'b', url: server.url }]),
      {
        unhealthyThreshold: 2,
        circuitBreaker: { failureThreshold: 2, openTimeoutMs: 60_000 },
      },
    );
    const opened = await events.next((e) => e.circuitBreakerState === 'open');
    expect(opened.status).to.equal('unhealthy');
    const requests = server.count('initialize');
    // A healthy neighbour probed many times meanwhile proves time passed.
    const other = await serve();
    const neighbour = watch(
      new BehaviorSubject<readonly BackendConfig[]>([{ name: 'n', url: other.url }]),
    );
    await eventually(() => other.count('ping') >= 10);
    neighbour.unsubscribe();
    expect(server.count('initialize')).to.equal(requests, 'no probe while the circuit is open');
  });

  it('cancels the probe in flight of a removed backend and forgets it', async function () {
    const [hanging, healthy] = await Promise.all([serve({ mode: 'hang' }), serve()]);
    const backends$ = new BehaviorSubject<readonly BackendConfig[]>([
      { name: 'hanging', url: hanging.url },
      { name: 'healthy', url: healthy.url },
    ]);
    const request = hanging.nextRequest();
    const events = watch(backends$, { probeTimeoutMs: 30_000 });
    const inFlight = await request;
    backends$.next([{ name: 'healthy', url: healthy.url }]);
    await inFlight.abandoned;
    const from = events.values.length;
    await eventually(() => healthy.count('ping') >= 5);
    expect(events.values.some((e) => e.name === 'hanging')).to.equal(false);
    expect(events.values.slice(from).every((e) => e.name === 'healthy')).to.equal(true);
  });

  it('closes every session when unsubscribed', async function () {
    const server = await serve();
    const events = watch(
      new BehaviorSubject<readonly BackendConfig[]>([{ name: 'b', url: server.url }]),
    );
    await events.next(is('b', 'healthy'));
    expect(server.sessionCount).to.equal(1);
    events.unsubscribe();
    await eventually(() => server.sessionCount === 0, { what: 'the session to end' });
  });
});
