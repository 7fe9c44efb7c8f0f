import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { DiscoveredBackendJson } from '../../../src/apply/status-patch.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { CliProcess, requireBuiltCli } from '../../support/mcp/cli-process.js';
import { closedPort } from '../../support/mcp/closed-port.js';
import { startRawMcpServer, type RawMcpServer } from '../../support/mcp/raw-mcp-server.js';

const { group, version, plural } = vmcpResource();

/** The part of a refused create's `Status` that names the fields. */
interface StatusBody {
  details?: { causes?: { message?: string; field?: string }[] };
}

/** Every secret planted below starts with this; none may be found in any output. */
const SECRET = 'SECRET-';

describe('credentials in backend URLs never reach status, Events or logs (the built binary, real apiserver)', function () {
  const cluster = useTestCluster('urlcreds');
  let admin: KubeConfig;
  let dir: string;
  let good: ScriptedMcpServer;
  let echo: RawMcpServer;
  const processes: CliProcess[] = [];

  before(async () => {
    requireBuiltCli();
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    dir = await mkdtemp(join(tmpdir(), 'vmcp-status-urlcreds-'));
    good = await startScriptedMcpServer({ tools: 2 });
    // A backend whose error page echoes the request, query string included: raw
    // backend error text that must not be logged.
    echo = await startRawMcpServer((_method, _params, url) => ({
      status: 500,
      body: `upstream failed for ${url} (${SECRET}BODY)`,
      contentType: 'text/plain',
    }));
  });
  afterEach(() => {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  after(async () => {
    await Promise.all([good.close(), echo.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('redacts query credentials in status and logs no secret at trace', async function () {
    this.timeout(120_000);
    const port = await closedPort();
    const api = admin.makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'VirtualMCPServer',
        metadata: { name: 'creds', namespace: cluster.namespace },
        spec: {
          config: {
            backends: [
              { name: 'good', url: `${good.url}?token=${SECRET}GOOD&page=1` },
              { name: 'echo', url: `${echo.url}?api_key=${SECRET}ECHO` },
              {
                name: 'refused',
                url: `http://127.0.0.1:${String(port)}/mcp?password=${SECRET}PW&sig=${SECRET}SIG`,
              },
            ],
            operational: {
              failureHandling: {
                statusReportingInterval: '1s',
                healthCheckInterval: '1s',
                healthCheckTimeout: '800ms',
                unhealthyThreshold: 1,
              },
            },
          },
        },
      },
    });
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'creds');
    const kubeconfig = join(dir, 'runtime.kubeconfig');
    await writeFile(kubeconfig, identity.exportConfig(), { mode: 0o600 });

    const cli = new CliProcess(['run', '--reporter', 'k8s', '--kubeconfig', kubeconfig], {
      VMCP_NAME: 'creds',
      VMCP_NAMESPACE: cluster.namespace,
      LOG_LEVEL: 'trace',
    });
    processes.push(cli);

    const read = async () =>
      (await api.getNamespacedCustomObject({
        group,
        version,
        namespace: cluster.namespace,
        plural,
        name: 'creds',
      })) as {
        status?: { discoveredBackends?: DiscoveredBackendJson[] };
        metadata: { managedFields?: unknown[] };
      };
    await waitFor(
      'good ready, echo and refused unavailable in the status',
      async () => {
        const byName = Object.fromEntries(
          ((await read()).status?.discoveredBackends ?? []).map((b) => [b.name, b.status]),
        );
        return (
          byName.good === 'ready' &&
          byName.echo === 'unavailable' &&
          byName.refused === 'unavailable'
        );
      },
      60_000,
    );
    // Several failed probes each, so every failure path has logged.
    await waitFor(
      'three probe failures logged for each failing backend',
      () =>
        ['echo', 'refused'].every(
          (name) =>
            cli.lines.filter((l) => l.msg === 'probe failed' && l.backend === name).length >= 3,
        ),
      30_000,
    );

    const object = await read();
    const backends = object.status?.discoveredBackends ?? [];
    expect(backends.map((b) => b.name).sort()).to.deep.equal(['echo', 'good', 'refused']);
    const urls = Object.fromEntries(backends.map((b) => [b.name, b.url]));
    expect(urls.good).to.equal(`${good.url}?token=REDACTED&page=1`);
    expect(urls.echo).to.equal(`${echo.url}?api_key=REDACTED`);
    expect(urls.refused).to.equal(
      `http://127.0.0.1:${String(port)}/mcp?password=REDACTED&sig=REDACTED`,
    );
    expect(JSON.stringify(object.status)).to.not.include(SECRET);
    expect(JSON.stringify(object.metadata.managedFields)).to.not.include(SECRET);

    const events = await admin
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace: cluster.namespace });
    expect(events.items.length, 'Events recorded').to.be.greaterThan(0);
    expect(JSON.stringify(events.items)).to.not.include(SECRET);

    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);
    // Debug lines were written (the level the raw error used to reach) and none holds a secret.
    expect(cli.lines.some((l) => l.level === 20 && l.msg === 'probe failed')).to.equal(true);
    expect(cli.stdout).to.not.include(SECRET);
    expect(cli.stderr).to.not.include(SECRET);
    expect(cli.stdout).to.not.include('upstream failed');
  });

  it('the CRD refuses a userinfo backend URL, naming spec.config.backends[i].url and headers', async () => {
    const api = admin.makeApiClient(CustomObjectsApi);
    const refused = await api
      .createNamespacedCustomObject({
        group,
        version,
        namespace: cluster.namespace,
        plural,
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'VirtualMCPServer',
          metadata: { name: 'leaky', namespace: cluster.namespace },
          spec: {
            config: {
              backends: [
                { name: 'ok', url: 'http://127.0.0.1:9/mcp' },
                { name: 'leaky', url: `http://bob:${SECRET}USERINFO@127.0.0.1:9/mcp` },
              ],
            },
          },
        },
      })
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number; body?: string },
      );
    expect(refused?.code).to.equal(422);
    const causes = (JSON.parse(String(refused?.body)) as StatusBody).details?.causes ?? [];
    expect(causes.map((c) => c.field)).to.deep.equal(['spec.config.backends[1].url']);
    expect(causes[0]?.message).to.include('without credentials').and.include('headers');
  });

  it('refuses a config file with credentials in a backend URL: exit 2, the field named, headers suggested, no secret echoed', async function () {
    this.timeout(30_000);
    const file = join(dir, 'leaky.yaml');
    await writeFile(
      file,
      `backends:\n  - { name: a, url: "https://bob:${SECRET}PW@a.example/mcp?token=${SECRET}Q" }\n`,
    );
    const cli = new CliProcess(['run', '--config', file], { LOG_LEVEL: 'trace' });
    processes.push(cli);
    expect(await cli.exitCode()).to.equal(2);
    expect(cli.stderr).to.include('backends[0].url').and.include('headers');
    expect(cli.stderr + cli.stdout).to.not.include(SECRET);
  });
});
