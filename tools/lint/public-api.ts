/**
 * The package's public surface as names: for each entry of `package.json` `exports`,
 * every name its module exports (values and types alike), read with the TypeScript
 * compiler from the entry's source. `test/fixtures/public-api.json` pins it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** Entry point (as an embedder imports it) → exported names, sorted. */
export type PublicApi = Record<string, string[]>;

/** The `src/` file behind each `exports` entry (`./dist/x.js` → `src/x.ts`). */
export function entrySources(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { default: string }>;
  };
  const out: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    const specifier = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
    out[specifier] = join(
      root,
      target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'),
    );
  }
  return out;
}

/** Reads every entry's exported names. */
export function publicApi(root: string): PublicApi {
  const sources = entrySources(root);
  const program = ts.createProgram(Object.values(sources), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2024,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const api: PublicApi = {};
  for (const [specifier, file] of Object.entries(sources)) {
    const source = program.getSourceFile(file);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`public-api: cannot read ${file}`);
    api[specifier] = checker
      .getExportsOfModule(symbol)
      .map((s) => s.getName())
      .sort();
  }
  return api;
}
