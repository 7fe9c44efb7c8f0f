import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { importCycles, importGraph } from '../../../tools/lint/import-cycles.js';

describe('importCycles (the lint step against import cycles)', function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'vmcp-cycles-'));
    await mkdir(join(dir, 'cli'));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  const file = (path: string, text: string) => writeFile(join(dir, path), text);

  it('finds a cycle made of a type-only import, along its path', async function () {
    await file(
      'cli/program.ts',
      "import { add } from './operator-command.js';\nexport type Exit = () => void;\n",
    );
    await file(
      'cli/operator-command.ts',
      "import type { Exit } from './program.js';\nexport const add = 1;\n",
    );
    await file('cli/main.ts', "import { createProgram } from './program.js';\n");
    expect(importCycles(importGraph(dir))).to.deep.equal([
      ['cli/program.ts', 'cli/operator-command.ts', 'cli/program.ts'],
    ]);
  });

  it('finds a longer cycle across folders and a file importing itself', async function () {
    await file('a.ts', "export * from './cli/b.js';\n");
    await file('cli/b.ts', "import '../c.js';\n");
    await file('c.ts', "import { x } from './a.js';\n");
    await file('self.ts', "import { y } from './self.js';\nexport const y = 1;\n");
    const cycles = importCycles(importGraph(dir));
    expect(cycles).to.have.length(2);
    expect(cycles).to.deep.include(['self.ts', 'self.ts']);
    const long = cycles.find((c) => c.length === 4)!;
    expect(long[0]).to.equal(long[3]);
    expect([...long.slice(0, 3)].sort()).to.deep.equal(['a.ts', 'c.ts', 'cli/b.ts']);
  });

  it('finds none in a graph without cycles, packages ignored', async function () {
    await file('a.ts', "import { Command } from 'commander';\nimport { b } from './b.js';\n");
    await file('b.ts', "import type { Logger } from 'pino';\nexport const b = 1;\n");
    expect(importCycles(importGraph(dir))).to.deep.equal([]);
  });

  it("finds none in this project's src/", function () {
    expect(
      importCycles(importGraph(new URL('../../../src', import.meta.url).pathname)),
    ).to.deep.equal([]);
  });
});
