/**
 * The node's cgroups on this cgroup v1 machine: the kubelet's `cgroupRoot` goes under
 * the memory cgroup this process already sits in (never beside it), at the same path
 * in every hierarchy, so pods stay inside the limits the machine already has.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

/**
 * The hierarchies mounted here: the v1 ones (cpu, memory, pids, …) and, with
 * `withUnified`, the empty v2 one of this hybrid layout (the kubelet makes its
 * cgroups there too, so cleanup looks there as well).
 */
export function cgroupHierarchies(withUnified = false): string[] {
  return readdirSync(CGROUP_FS).filter((name) => {
    if (name === 'unified' && !withUnified) return false;
    try {
      return statSync(join(CGROUP_FS, name)).isDirectory();
    } catch {
      return false;
    }
  });
}

/** This process's memory cgroup path, e.g. `/process_api/0b48…`, from /proc/self/cgroup. */
export function ownMemoryCgroup(): string {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes('memory') === true && path !== undefined) return path;
  }
  throw new Error(
    'no memory cgroup in /proc/self/cgroup: the node needs cgroup v1 with a memory hierarchy',
  );
}

/** The kubelet's cgroupRoot for this machine: `<own memory cgroup>/vmcp-node`. */
export function nodeCgroupRoot(): string {
  return join(ownMemoryCgroup(), 'vmcp-node');
}

/**
 * Makes `root` in every hierarchy, copying `cpuset.cpus`/`cpuset.mems` down the cpuset
 * path (a new cpuset is empty, and no task may join an empty one). Returns the folders
 * it made, outermost first, for {@link removeCgroups}.
 */
export function makeCgroups(root: string): string[] {
  const made: string[] = [];
  for (const hierarchy of cgroupHierarchies()) {
    let dir = join(CGROUP_FS, hierarchy);
    for (const part of root.split('/').filter((p) => p !== '')) {
      const parent = dir;
      dir = join(dir, part);
      if (existsSync(dir)) continue;
      mkdirSync(dir);
      made.push(dir);
      if (hierarchy === 'cpuset') {
        for (const file of ['cpuset.cpus', 'cpuset.mems'])
          copyFileSync(join(parent, file), join(dir, file));
      }
    }
  }
  return made;
}

/** Processes still in any cgroup below `root` (in any hierarchy). */
export function cgroupProcesses(root: string): number[] {
  const pids = new Set<number>();
  for (const hierarchy of cgroupHierarchies(true)) {
    walk(join(CGROUP_FS, hierarchy, root), (dir) => {
      try {
        for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
          if (pid !== '') pids.add(Number(pid));
        }
      } catch {
        // gone meanwhile
      }
    });
  }
  return [...pids];
}

/**
 * Removes every cgroup below and including `root` in every hierarchy (depth first),
 * then the parents {@link makeCgroups} made. Returns the folders left (busy ones).
 */
export function removeCgroups(root: string, madeParents: readonly string[] = []): string[] {
  const left: string[] = [];
  for (const hierarchy of cgroupHierarchies(true)) {
    const dirs: string[] = [];
    walk(join(CGROUP_FS, hierarchy, root), (dir) => dirs.push(dir));
    for (const dir of dirs.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        if (existsSync(dir)) left.push(dir);
      }
    }
  }
  for (const dir of [...madeParents].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // already gone, or another user's now
    }
  }
  return left;
}

/** Calls `visit` for `dir` and every cgroup below it, parents before children. */
function walk(dir: string, visit: (dir: string) => void): void {
  if (!existsSync(dir)) return;
  visit(dir);
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return;
  }
  for (const name of entries) walk(join(dir, name), visit);
}
