import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { CliProcess, requireBuiltCli } from '../../support/mcp/cli-process.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: u, user: { token: SECRET-TOKEN } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

/**
 * Bad input to `vmcp-status run`, each case: exit 2 and one line on stderr that names
 * the field (variable, flag, file and line) and what was expected; no stack trace, no
 * secret from the input.
 */
describe('vmcp-status run with bad input (the built binary)', function () {
  let dir: string;
  const files: Record<string, string> = {};
  let held: Server;
  let heldPort = 0;

  before(async () => {
    requireBuiltCli();
    // A port someone else listens on.
    held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    heldPort = (held.address() as { port: number }).port;
    dir = await mkdtemp(join(tmpdir(), 'vmcp-status-badinput-'));
    const write = async (name: string, text: string): Promise<void> => {
      files[name] = join(dir, name);
      await writeFile(files[name], text);
    };
    await write('ok.yaml', 'backends: [{ name: a, url: "http://127.0.0.1:9/mcp" }]\n');
    await write(
      'not-yaml.yaml',
      'backends:\n  - name: a\n    headers: { Authorization: "Bearer SECRET-H" }\n   url: x\n',
    );
    await write(
      'duplicate.yaml',
      'backends:\n  - { name: a, url: "http://x/1" }\n  - { name: a, url: "http://x/2" }\n',
    );
    await write('bad-name.yaml', 'backends: [{ name: "no spaces please", url: "http://x/1" }]\n');
    await write('kubeconfig', KUBECONFIG);
    await write('broken.kubeconfig', `${KUBECONFIG}users: [ { token: SECRET-T2\n`);
    await write('no-context.kubeconfig', KUBECONFIG.replace('current-context: x', ''));
    files.directory = join(dir, 'a-directory');
    await mkdir(files.directory);
  });
  after(async () => {
    held.close();
    await rm(dir, { recursive: true, force: true });
  });

  const k8s = { VMCP_NAME: 'demo', VMCP_NAMESPACE: 'default' };
  const cases: Array<{
    what: string;
    args: () => string[];
    env?: Record<string, string>;
    says: RegExp;
  }> = [
    {
      what: 'LOG_LEVEL not a level',
      args: () => ['run', '-c', files['ok.yaml'] ?? ''],
      env: { LOG_LEVEL: 'loud' },
      says: /LOG_LEVEL.*Allowed choices are fatal, error/,
    },
    {
      what: 'VMCP_STATUS_LAYOUT not a layout',
      args: () => ['run', '-c', files['ok.yaml'] ?? ''],
      env: { VMCP_STATUS_LAYOUT: 'sideways' },
      says: /VMCP_STATUS_LAYOUT.*auto, top-level, runtime/,
    },
    {
      what: 'VMCP_STATUS_REPORTER not a reporter',
      args: () => ['run', '-c', files['ok.yaml'] ?? ''],
      env: { VMCP_STATUS_REPORTER: 'k9s' },
      says: /^vmcp-status: VMCP_STATUS_REPORTER: expected one of auto, k8s, log, noop, got "k9s"$/,
    },
    {
      what: 'VMCP_NAME not a DNS-1123 name',
      args: () => ['run', '-c', files['ok.yaml'] ?? '', '--reporter', 'k8s'],
      env: { ...k8s, VMCP_NAME: 'My_VMCP' },
      says: /^vmcp-status: VMCP_NAME: expected a DNS-1123 subdomain/,
    },
    {
      what: 'POD_NAME not a pod name',
      args: () => [
        'run',
        '-c',
        files['ok.yaml'] ?? '',
        '--reporter',
        'k8s',
        '--kubeconfig',
        files.kubeconfig ?? '',
      ],
      env: { ...k8s, POD_NAME: 'Bad Pod!' },
      says: /^vmcp-status: POD_NAME: expected a DNS-1123 subdomain.*got "Bad Pod!"$/,
    },
    {
      what: 'an interval that is no duration',
      args: () => ['run', '-c', files['ok.yaml'] ?? '', '--interval', '5 parsecs'],
      says: /--interval/,
    },
    {
      what: '--max-reported-backends not a count',
      args: () => ['run', '-c', files['ok.yaml'] ?? '', '--max-reported-backends', '-3'],
      says: /^vmcp-status: --max-reported-backends: expected an integer from 0 to 10000, got "-3"$/,
    },
    {
      what: 'a kubeconfig that is not YAML',
      args: () => [
        'run',
        '-c',
        files['ok.yaml'] ?? '',
        '--reporter',
        'k8s',
        '--kubeconfig',
        files['broken.kubeconfig'] ?? '',
      ],
      env: k8s,
      says: /^vmcp-status: --kubeconfig: expected a valid kubeconfig in YAML \(.+\), got ".*broken\.kubeconfig"$/,
    },
    {
      what: 'a kubeconfig that is a directory',
      args: () => [
        'run',
        '-c',
        files['ok.yaml'] ?? '',
        '--reporter',
        'k8s',
        '--kubeconfig',
        files.directory ?? '',
      ],
      env: k8s,
      says: /^vmcp-status: --kubeconfig: expected a readable kubeconfig file \(EISDIR\), got ".*a-directory"$/,
    },
    {
      what: 'a kubeconfig without current-context',
      args: () => [
        'run',
        '-c',
        files['ok.yaml'] ?? '',
        '--reporter',
        'k8s',
        '--kubeconfig',
        files['no-context.kubeconfig'] ?? '',
      ],
      env: k8s,
      says: /^vmcp-status: --kubeconfig: expected a current-context, got ".*no-context\.kubeconfig"$/,
    },
    {
      what: 'a --port another process listens on',
      args: () => ['run', '-c', files['ok.yaml'] ?? '', '--port', String(heldPort)],
      says: /^vmcp-status: --port: expected a port nothing else listens on \(0 picks a free one\), got "127\.0\.0\.1:\d+"$/,
    },
    {
      what: 'a config file that is not YAML',
      args: () => ['run', '-c', files['not-yaml.yaml'] ?? ''],
      says: /^vmcp-status: .*not-yaml\.yaml: line 4, column \d+: expected valid YAML \(.+\)$/,
    },
    {
      what: 'duplicate backend names',
      args: () => ['run', '-c', files['duplicate.yaml'] ?? ''],
      says: /backends\[1\]\.name: expected a name no other backend has, got "a"$/,
    },
    {
      what: 'an invalid backend name',
      args: () => ['run', '-c', files['bad-name.yaml'] ?? ''],
      says: /backends\[0\]\.name: expected a name of letters, digits.*got "no spaces please"$/,
    },
  ];

  for (const { what, args, env = {}, says } of cases) {
    it(`${what}: exit 2, one line naming it, no stack, no secret`, async function () {
      this.timeout(30_000);
      const cli = new CliProcess(args(), env);
      expect(await cli.exitCode()).to.equal(2);
      const lines = cli.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('(run with'));
      expect(lines, cli.stderr).to.have.length(1);
      expect(lines[0]).to.match(says);
      expect(cli.stderr).to.not.match(/^\s+at /m);
      expect(cli.stderr + cli.stdout).to.not.include('SECRET');
    });
  }
});
