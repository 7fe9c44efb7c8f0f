/**
 * `npm run bench:admission [-- --applies N --backends 3,100,1000]`: how much latency the
 * status-ownership ValidatingAdmissionPolicy adds to one status apply.
 *
 * Starts its own etcd + kube-apiserver on loopback (the tests' binaries), installs the
 * CRD and the committed policy (manifests/admission/policy.yaml), and times N server-side
 * applies of runtime-owned status as the runtime's ServiceAccount, each one a real
 * change (the body `statusApplyPatch` builds, a backend flapping), with and without the
 * [Deny] binding. Modes alternate in rounds so drift of the machine hits both alike; each
 * round starts with unmeasured warm-up applies. Besides the client's wall time it reads
 * the apiserver's own `apiserver_admission_step_admission_duration_seconds` (validating
 * step of UPDATEs) around the measured applies: the policy's cost without the noise of
 * a busy machine. Prints a table; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { statusApplyPatch } from '../src/apply/status-patch.js';
import type { BackendHealthStatus } from '../src/types.js';
import { ControlPlane } from '../tools/cluster/control-plane.js';
import { installCrd } from '../tools/cluster/install-crd.js';
import { applyObjects, readManifest } from '../tools/cluster/manifests.js';
import { applyStatus } from '../tools/cluster/status-writes.js';
import { runtimeIdentity } from '../tools/cluster/runtime-identity.js';
import { statusOf, vmcpObject } from '../tools/cluster/status-fixtures.js';
import { waitFor } from '../tools/cluster/wait-for.js';

const { values } = parseArgs({
  options: {
    applies: { type: 'string', default: '200' },
    backends: { type: 'string', default: '3,100,1000' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '10' },
  },
});
const applies = Number(values.applies);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const sizes = values.backends.split(',').map(Number);
if (
  ![applies, rounds, warmup, ...sizes].every((n) => Number.isInteger(n) && n >= 0) ||
  applies < rounds
) {
  console.error('--applies, --rounds, --warmup and --backends take whole numbers');
  process.exit(2);
}

const NAMESPACE = 'bench';
const POLICY = 'vmcp-status-ownership';
const BINDING_MANIFEST = readManifest('admission/binding.yaml');

/** Milliseconds at quantile `q` (nearest rank) of sorted samples. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

interface Row {
  backends: number;
  mode: 'none' | 'Deny';
  samples: number[];
  /** Seconds and count of the apiserver's validating admission step over the samples. */
  validate: { sum: number; count: number };
}

const VALIDATE_STEP =
  /^apiserver_admission_step_admission_duration_seconds_(sum|count)\{operation="UPDATE",rejected="false",type="validate"\} (\S+)$/;

/** Sum (s) and count of validating-admission steps of accepted UPDATEs so far, from `/metrics`. */
async function validateStep(plane: ControlPlane): Promise<{ sum: number; count: number }> {
  const url = new URL(plane.server);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/metrics',
        ca: readFileSync(plane.pki.caCert),
        cert: readFileSync(plane.pki.adminCert),
        key: readFileSync(plane.pki.adminKey),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve(body);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
  const step = { sum: 0, count: 0 };
  for (const line of text.split('\n')) {
    const match = VALIDATE_STEP.exec(line);
    if (match?.[1] === 'sum') step.sum = Number(match[2]);
    if (match?.[1] === 'count') step.count = Number(match[2]);
  }
  return step;
}

async function main(): Promise<void> {
  console.error('starting etcd + kube-apiserver on loopback...');
  const plane = await ControlPlane.start();
  try {
    const admin = plane.adminKubeConfig();
    await installCrd(admin);
    await admin
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await applyObjects(admin, readManifest('admission/policy.yaml'));
    const bindings = admin.makeApiClient(AdmissionregistrationV1Api);
    const objects = admin.makeApiClient(CustomObjectsApi);
    // Someone the policy refuses: tells when a binding is (no longer) in force.
    const intruder = await runtimeIdentity(plane, NAMESPACE, 'probe', {
      sa: 'intruder',
      rules: [
        {
          apiGroups: ['vmcp-status.dev'],
          resources: ['virtualmcpservers/status'],
          verbs: ['get', 'patch'],
        },
      ],
    });
    await objects.createNamespacedCustomObject({
      group: 'vmcp-status.dev',
      version: 'v1beta1',
      namespace: NAMESPACE,
      plural: 'virtualmcpservers',
      body: vmcpObject('probe', NAMESPACE),
    });
    const enforced = async (): Promise<boolean> =>
      (
        await applyStatus(
          intruder,
          { namespace: NAMESPACE, name: 'probe' },
          { phase: 'Failed' },
          { dryRun: true },
        )
      ).code === 403;
    const setMode = async (mode: Row['mode']): Promise<void> => {
      if (mode === 'Deny') {
        await applyObjects(admin, BINDING_MANIFEST);
        await waitFor('the binding in force', enforced);
      } else {
        await bindings.deleteValidatingAdmissionPolicyBinding({ name: POLICY }).catch(() => 0);
        await waitFor('the binding gone', async () => !(await enforced()));
      }
    };

    const rows: Row[] = [];
    for (const size of sizes) {
      const name = `bench-${String(size)}`;
      await objects.createNamespacedCustomObject({
        group: 'vmcp-status.dev',
        version: 'v1beta1',
        namespace: NAMESPACE,
        plural: 'virtualmcpservers',
        body: vmcpObject(name, NAMESPACE),
      });
      const runtime = await runtimeIdentity(plane, NAMESPACE, name);
      const api = runtime.makeApiClient(CustomObjectsApi);
      const ref = { name, namespace: NAMESPACE };
      const backends = (flapping: BackendHealthStatus) =>
        Array.from(
          { length: size },
          (_, i) =>
            [`backend-${String(i).padStart(4, '0')}`, i === 0 ? flapping : 'healthy', 5] as const,
        );
      // Two bodies the runtime really sends: one backend flapping, so every apply writes.
      const bodies = [
        statusApplyPatch(ref, statusOf(backends('healthy'))),
        statusApplyPatch(ref, statusOf(backends('unhealthy'))),
      ];
      let turn = 0;
      const apply = async (): Promise<number> => {
        const body = bodies[turn++ % 2];
        const started = performance.now();
        await api.patchNamespacedCustomObjectStatus(
          {
            group: 'vmcp-status.dev',
            version: 'v1beta1',
            namespace: NAMESPACE,
            plural: 'virtualmcpservers',
            name,
            body,
            fieldManager: 'vmcp-runtime',
            force: true,
            fieldValidation: 'Strict',
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        );
        return performance.now() - started;
      };
      const none: Row = {
        backends: size,
        mode: 'none',
        samples: [],
        validate: { sum: 0, count: 0 },
      };
      const deny: Row = {
        backends: size,
        mode: 'Deny',
        samples: [],
        validate: { sum: 0, count: 0 },
      };
      for (let round = 0; round < rounds; round++) {
        // Alternate which mode goes first, too.
        for (const row of round % 2 === 0 ? [none, deny] : [deny, none]) {
          await setMode(row.mode);
          for (let i = 0; i < warmup; i++) await apply();
          const perRound = Math.floor(applies / rounds) + (round < applies % rounds ? 1 : 0);
          const before = await validateStep(plane);
          for (let i = 0; i < perRound; i++) row.samples.push(await apply());
          const after = await validateStep(plane);
          row.validate.sum += after.sum - before.sum;
          row.validate.count += after.count - before.count;
        }
      }
      rows.push(none, deny);
      console.error(`measured ${String(size)} backends`);
    }
    print(rows);
  } finally {
    await plane.stop();
  }
}

function print(rows: readonly Row[]): void {
  const format = (n: number): string => n.toFixed(2);
  const signed = (n: number, digits: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
  const header = [
    'backends',
    'policy',
    'applies',
    'median ms',
    'p95 ms',
    'mean ms',
    'server validate µs',
  ];
  const stats = new Map<string, { median: number; p95: number; validateUs: number }>();
  const lines = rows.map((row) => {
    const sorted = [...row.samples].sort((a, b) => a - b);
    const stat = {
      median: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      validateUs: (row.validate.sum / Math.max(1, row.validate.count)) * 1e6,
    };
    stats.set(`${String(row.backends)}/${row.mode}`, stat);
    return [
      String(row.backends),
      row.mode,
      String(sorted.length),
      format(stat.median),
      format(stat.p95),
      format(sorted.reduce((a, b) => a + b, 0) / sorted.length),
      stat.validateUs.toFixed(0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(
    'Status apply latency: SSA of runtime-owned status as the runtime ServiceAccount, ' +
      `kube-apiserver on loopback, ${String(availableParallelism())} CPUs, Node ${process.version}`,
  );
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const cells of lines) console.log(line(cells));
  console.log('');
  console.log(
    'median/p95/mean: client wall time per apply. server validate µs: mean time of the ' +
      "apiserver's validating admission step (where the policy runs) per UPDATE, from its /metrics.",
  );
  console.log('Added by the policy (Deny minus none):');
  for (const size of new Set(rows.map((r) => r.backends))) {
    const none = stats.get(`${String(size)}/none`);
    const deny = stats.get(`${String(size)}/Deny`);
    if (none === undefined || deny === undefined) continue;
    console.log(
      `  ${String(size).padStart(5)} backends: server ${signed(deny.validateUs - none.validateUs, 0)} µs; ` +
        `client median ${signed(deny.median - none.median, 2)} ms, p95 ${signed(deny.p95 - none.p95, 2)} ms`,
    );
  }
}

await main();
