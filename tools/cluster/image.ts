/**
 * The vmcp-status image for the local node, built from the repository's Containerfile
 * with Debian's buildah. No registry image can be pulled here, so the Containerfile's
 * NODE_IMAGE is a base assembled on this machine from the pinned Node 24 binary (with
 * a shell, env and npm), and npm installs offline from this machine's npm cache. The
 * result is an OCI archive in the cache, keyed by a hash of everything the build reads.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostCommand } from './host-command.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The image name the manifests use (with `imagePullPolicy: IfNotPresent`), tagged with the package version. */
export function imageName(): string {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return `ghcr.io/vmcp-status/vmcp-status:${version}`;
}

/** Where images and buildah's own storage are cached. */
export function imageCacheDir(): string {
  return (
    process.env.VMCP_IMAGE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vmcp-status', 'image')
  );
}

function buildah(args: readonly string[]): string {
  const cache = imageCacheDir();
  return hostCommand(
    'buildah',
    [
      '--root',
      join(cache, 'storage'),
      '--runroot',
      join(cache, 'run'),
      '--storage-driver',
      'vfs',
      ...args,
      // A build compiles and installs inside a chroot: minutes on a busy two-core machine.
    ],
    { timeoutMs: 20 * 60_000 },
  ).stdout.trim();
}

/** The files the image build reads (the Containerfile's COPY sources), for the cache key. */
function buildInputs(): string[] {
  const files = [
    'Containerfile',
    '.containerignore',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
  ];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('src');
  return files.sort();
}

function contentHash(files: readonly string[], extra: string): string {
  const hash = createHash('sha256').update(extra);
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The shared libraries an executable needs, from `ldd`. */
function sharedLibraries(executable: string): string[] {
  return hostCommand('ldd', [executable])
    .stdout.split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1] ?? /^\s*(\/\S+)/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined);
}

/** Copies `source` into `rootfs` at the same path (or at `target`). */
function copyInto(rootfs: string, source: string, target = source): void {
  const dest = join(rootfs, target);
  if (existsSync(dest)) return;
  mkdirSync(dirname(dest), { recursive: true });
  if (statSync(source).isDirectory()) cpSync(source, dest, { recursive: true });
  else copyFileSync(source, dest);
  chmodSync(dest, statSync(source).mode & 0o7777);
}

/**
 * A Node 24 base image made on this machine: the pinned Node binary (the `node`
 * devDependency) and its libraries, `/bin/sh` and `env` from the host, npm from the
 * host's npm, a /tmp and a root home. Built once per Node version into buildah's store.
 */
export function ensureLocalNodeBase(): string {
  const node = join(ROOT, 'node_modules/node/bin/node');
  if (!existsSync(node)) throw new Error(`${node} is missing: run npm ci first`);
  const version = hostCommand(node, ['--version']).stdout.trim();
  const name = `localhost/vmcp-status-node-base:${version}`;
  const known = hostCommand(
    'buildah',
    [
      '--root',
      join(imageCacheDir(), 'storage'),
      '--runroot',
      join(imageCacheDir(), 'run'),
      '--storage-driver',
      'vfs',
      'images',
      '--noheading',
      '--format',
      '{{.Name}}:{{.Tag}}',
    ],
    { mayFail: true },
  );
  if (known.stdout.split('\n').includes(name)) return name;

  const npmDir = dirname(
    dirname(
      hostCommand('readlink', [
        '-f',
        hostCommand('sh', ['-c', 'command -v npm']).stdout.trim(),
      ]).stdout.trim(),
    ),
  );
  const container = buildah(['from', 'scratch']);
  try {
    const rootfs = buildah(['mount', container]);
    const sh = hostCommand('readlink', ['-f', '/bin/sh']).stdout.trim();
    const env = hostCommand('readlink', ['-f', '/usr/bin/env']).stdout.trim();
    for (const executable of [node, sh, env]) {
      for (const lib of sharedLibraries(executable)) copyInto(rootfs, lib);
    }
    copyInto(rootfs, node, '/usr/local/bin/node');
    copyInto(rootfs, sh, '/bin/sh');
    copyInto(rootfs, env, '/usr/bin/env');
    copyInto(rootfs, npmDir, '/usr/local/lib/node_modules/npm');
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
    mkdirSync(join(rootfs, 'tmp'), { mode: 0o1777 });
    hostCommand('chmod', ['1777', join(rootfs, 'tmp')]);
    mkdirSync(join(rootfs, 'root'), { mode: 0o700 });
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(
      join(rootfs, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/sh\n',
    );
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
    mkdirSync(join(rootfs, 'home/nonroot'), { recursive: true });
    hostCommand('chown', ['65532:65532', join(rootfs, 'home/nonroot')]);
    buildah([
      'config',
      '--env',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      '--os',
      'linux',
      '--arch',
      'amd64',
      container,
    ]);
    buildah(['commit', '--format', 'oci', container, name]);
  } finally {
    hostCommand(
      'buildah',
      [
        '--root',
        join(imageCacheDir(), 'storage'),
        '--runroot',
        join(imageCacheDir(), 'run'),
        '--storage-driver',
        'vfs',
        'rm',
        container,
      ],
      { mayFail: true },
    );
  }
  return name;
}

/** What {@link ensureImage} made or found. */
export interface BuiltImage {
  /** The OCI archive, for `ctr images import`. */
  readonly archive: string;
  /** The name it carries (the manifests' image). */
  readonly name: string;
  /** Whether this call built it (false: it was cached). */
  readonly built: boolean;
  readonly seconds: number;
}

/**
 * Builds the repository's Containerfile with buildah (`--isolation chroot`, vfs
 * storage, offline npm from the host's cache) on the local base, and writes it as an
 * OCI archive; returns the cached archive when nothing it reads has changed.
 */
export function ensureImage(log: (line: string) => void = () => undefined): BuiltImage {
  const started = Date.now();
  const name = imageName();
  const base = ensureLocalNodeBase();
  const key = contentHash(buildInputs(), `${base}\n${name}`);
  const dir = imageCacheDir();
  const archive = join(dir, `vmcp-status-${key}.oci.tar`);
  if (existsSync(archive) && statSync(archive).size > 0) {
    return { archive, name, built: false, seconds: 0 };
  }
  mkdirSync(dir, { recursive: true });
  log(`building ${name} from Containerfile on ${base} (buildah, offline npm) ...`);
  const npmCache = hostCommand('npm', ['config', 'get', 'cache']).stdout.trim();
  buildah([
    'bud',
    '--isolation',
    'chroot',
    '--layers=false',
    '--build-arg',
    `NODE_IMAGE=${base}`,
    '--build-arg',
    'NPM_CI_FLAGS=--offline',
    // The host's npm cache (npm ci filled it; npm writes its index even offline): no network.
    '-v',
    `${join(npmCache, '_cacache')}:/root/.npm/_cacache`,
    '-f',
    join(ROOT, 'Containerfile'),
    '-t',
    name,
    ROOT,
  ]);
  const tmp = `${archive}.tmp`;
  rmSync(tmp, { force: true });
  buildah(['push', name, `oci-archive:${tmp}:${name}`]);
  renameSync(tmp, archive);
  for (const old of readdirSync(dir).filter(
    (f) => f.startsWith('vmcp-status-') && f.endsWith('.oci.tar') && join(dir, f) !== archive,
  )) {
    rmSync(join(dir, old), { force: true });
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  log(`built ${name} in ${String(seconds)} s: ${relative(process.cwd(), archive) || archive}`);
  return { archive, name, built: true, seconds };
}
