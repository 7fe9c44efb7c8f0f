import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'node_modules', '.bin');

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly [key: string]: unknown;
}

/** What the fresh project depends on besides the package: what an embedder writes with. */
const EMBEDDER_DEPENDENCIES = ['rxjs', '@modelcontextprotocol/sdk', 'typescript', '@types/node'];

/** A fresh project with the packed package installed, as a user gets it. */
export interface PackedProject {
  readonly dir: string;
  readonly tarball: string;
  /** Runs a command of the project's node_modules/.bin (or the pinned Node) in it. */
  run(command: string, args: readonly string[]): string;
}

/**
 * Packs the package (`npm pack` of the built repo), makes a fresh project in a
 * temporary folder and installs the tarball into it with `npm ci --offline`: the
 * project's lock is written from this repository's (the same versions, resolved from
 * npm's cache, so the test sends nothing over the network), with the package itself
 * from the tarball. What lands in node_modules/vmcp-status is exactly what the
 * tarball holds. Needs `npm run build` first (`npm test` builds in its first phase).
 */
export function installPackedPackage(): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), 'vmcp-packed-'));
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
  const tarball = join(dir, filename);
  const project = join(dir, 'project');
  mkdirSync(project);

  const repoLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    engines: Record<string, string>;
    bin: Record<string, string>;
    license: string;
  };
  const versionOf = (name: string): string => {
    const version = repoLock.packages[`node_modules/${name}`]?.version;
    if (version === undefined)
      throw new Error(`packed-package: ${name} is not in package-lock.json`);
    return version;
  };
  const dependencies = {
    [pkg.name]: `file:../${filename}`,
    ...Object.fromEntries(EMBEDDER_DEPENDENCIES.map((name) => [name, versionOf(name)])),
  };
  const packages: Record<string, LockEntry> = {
    '': { name: 'embedder', dependencies },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: `file:../${filename}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      engines: pkg.engines,
      bin: pkg.bin,
    },
  };
  // Every package the repository's production install has, plus the embedder's tools.
  const wanted = new Set(EMBEDDER_DEPENDENCIES.map((name) => `node_modules/${name}`));
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || !path.startsWith('node_modules/')) continue;
    if (entry.dev !== true || wanted.has(path) || isDependencyOfWanted(path, repoLock.packages)) {
      const { dev: _dev, ...rest } = entry;
      packages[path] = rest;
    }
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'embedder', private: true, type: 'module', dependencies }, null, 2),
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'embedder', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: project,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    dir: project,
    tarball,
    run(command, args) {
      const file =
        command === 'node' ? process.execPath : join(project, 'node_modules', '.bin', command);
      return execFileSync(file, args, { cwd: project, env, encoding: 'utf8' });
    },
  };
}

/** `@types/node` needs `undici-types`: dev entries the embedder's tools depend on. */
function isDependencyOfWanted(path: string, packages: Record<string, LockEntry>): boolean {
  const name = path.slice('node_modules/'.length);
  return ['node_modules/@types/node', 'node_modules/typescript'].some((parent) => {
    const deps = packages[parent]?.dependencies as Record<string, string> | undefined;
    return deps !== undefined && name in deps;
  });
}

/** Copies the repository's examples into the project's `src/`, as a user would paste them. */
export function copyExamples(project: PackedProject): readonly string[] {
  const examples = join(root, 'examples');
  const names = readdirSync(examples).filter((name) => name.endsWith('.ts'));
  mkdirSync(join(project.dir, 'src'), { recursive: true });
  for (const name of names) cpSync(join(examples, name), join(project.dir, 'src', name));
  writeFileSync(
    join(project.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2024',
        lib: ['es2024'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        verbatimModuleSyntax: true,
        outDir: 'dist',
        rootDir: 'src',
      },
      include: ['src'],
    }),
  );
  return names;
}
