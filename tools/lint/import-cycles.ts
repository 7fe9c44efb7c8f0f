/**
 * Finds import cycles among the TypeScript files of a folder. Type-only imports count
 * too: a type cycle still ties two files together (one cannot move without the other).
 *
 * TypeScript's own pre-processor reads the imports, so no lint plugin is needed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The relative imports of every `.ts` file under `root`, as paths relative to it. */
export function importGraph(folder: string): Map<string, string[]> {
  const root = resolve(folder);
  const files = tsFiles(root);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
      .filter((target) => known.has(target));
    graph.set(
      relative(root, file),
      [...new Set(targets)].map((t) => relative(root, t)),
    );
  }
  return graph;
}

/**
 * Every cycle of the graph, once each, as the files along it (the first repeated at
 * the end). Tarjan's strongly connected components; a component of more than one
 * file, or a file importing itself, holds a cycle, reported along one path through it.
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const visit = (file: string): number => {
    const own = index++;
    let lowest = own;
    indices.set(file, own);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      const seen = indices.get(next);
      if (seen === undefined) lowest = Math.min(lowest, visit(next));
      else if (onStack.has(next)) lowest = Math.min(lowest, seen);
    }
    if (lowest !== own) return lowest;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
      cycles.push(pathThrough(graph, new Set(component), file));
    }
    return lowest;
  };
  for (const file of [...graph.keys()].sort()) if (!indices.has(file)) visit(file);
  return cycles;
}

/** One way round a strongly connected component, from `start` back to it. */
function pathThrough(
  graph: ReadonlyMap<string, readonly string[]>,
  component: ReadonlySet<string>,
  start: string,
): string[] {
  // Breadth-first from start's successors back to start, inside the component.
  const previous = new Map<string, string>();
  const queue = (graph.get(start) ?? []).filter((n) => component.has(n));
  for (const n of queue) previous.set(n, start);
  for (let file = queue.shift(); file !== undefined && !previous.has(start); file = queue.shift()) {
    for (const next of graph.get(file) ?? []) {
      if (!component.has(next) || previous.has(next)) continue;
      previous.set(next, file);
      queue.push(next);
    }
  }
  const path = [start];
  for (let at = previous.get(start); at !== undefined && at !== start; at = previous.get(at)) {
    path.unshift(at);
  }
  path.unshift(start);
  return path;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return tsFiles(path);
      return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
    });
}
