import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { compareNames } from '../reactive/derive-runtime-status.js';
import {
  AGGREGATION_DEFAULTS,
  type AggregationConfig,
  type ConflictResolution,
  type WorkloadToolConfig,
} from '../config/aggregation-config.js';

/** One tool the vMCP serves: under which name, from which backend, as which backend tool. */
export interface ServedTool {
  /** The name clients see and call. */
  readonly name: string;
  readonly backend: string;
  /** The backend's own name for it: what a call is forwarded as. */
  readonly originalName: string;
  /** The definition clients get: the backend's, renamed and overridden. */
  readonly tool: Tool;
}

/** A name several backends' tools wanted, and what became of it. */
export interface ToolConflict {
  /** The contested name (after overrides and any prefix). */
  readonly name: string;
  readonly backends: readonly string[];
  /** The backend whose tool is served under the name; `undefined`: none is. */
  readonly winner?: string | undefined;
  /** Why, in a few words. */
  readonly reason: string;
}

/** What {@link resolveTools} serves, and the conflicts it met. */
export interface ToolResolution {
  /** Sorted by served name. */
  readonly tools: readonly ServedTool[];
  readonly conflicts: readonly ToolConflict[];
}

/** A backend tool after its override, before naming. */
interface Candidate {
  readonly backend: string;
  readonly originalName: string;
  /** After the override: what filters and conflicts see. */
  readonly name: string;
  readonly tool: Tool;
}

/**
 * Which tools the vMCP serves, ToolHive's way, in its order: each backend's
 * `overrides` (keyed by the backend's own tool name), then the conflict strategy, then
 * what is advertised (`excludeAllTools`, `defaultToolVisibility`, a backend's
 * `excludeAll` and `filter`, which names tools after their override). Pure, and unlike
 * ToolHive deterministic: backends are taken in name order.
 *
 * - `prefix`: every tool is renamed `prefixFormat` + name (`{workload}` = the backend);
 *   a name that still collides goes to the first backend.
 * - `priority`: a name only one backend has keeps it; a shared name goes to the backend
 *   listed first in `priorityOrder`, and when any backend sharing it is not listed,
 *   to none (every candidate is dropped).
 * - `manual`: a name only one backend has keeps it; a name several still share after
 *   the overrides is an unresolved conflict: none is served (the runtime refuses it at
 *   start, see `unresolvedConflicts`).
 */
export function resolveTools(
  offered: ReadonlyMap<string, readonly Tool[]>,
  config: AggregationConfig = {},
): ToolResolution {
  const entries = new Map((config.tools ?? []).map((entry) => [entry.workload, entry]));
  const candidates: Candidate[] = [];
  for (const backend of [...offered.keys()].sort(compareNames)) {
    const overrides = entries.get(backend)?.overrides ?? {};
    for (const tool of offered.get(backend) ?? []) {
      const override = Object.hasOwn(overrides, tool.name) ? overrides[tool.name] : undefined;
      const name = override?.name !== undefined && override.name !== '' ? override.name : tool.name;
      const description =
        override?.description !== undefined && override.description !== ''
          ? override.description
          : tool.description;
      const annotations =
        override?.annotations === undefined
          ? tool.annotations
          : { ...tool.annotations, ...override.annotations };
      candidates.push({
        backend,
        originalName: tool.name,
        name,
        tool: {
          ...tool,
          ...(description === undefined ? {} : { description }),
          ...(annotations === undefined ? {} : { annotations }),
        },
      });
    }
  }

  const strategy = config.conflictResolution ?? AGGREGATION_DEFAULTS.conflictResolution;
  const { named, conflicts } = NAMING[strategy](candidates, config);
  const tools = named
    .filter(({ candidate }) => advertised(candidate, config, entries.get(candidate.backend)))
    .map(({ servedName, candidate }) => ({
      name: servedName,
      backend: candidate.backend,
      originalName: candidate.originalName,
      tool: { ...candidate.tool, name: servedName },
    }))
    .sort((a, b) => compareNames(a.name, b.name));
  return { tools, conflicts };
}

/** The conflicts no configuration resolved: under `manual`, a reason to refuse to start. */
export function unresolvedConflicts(resolution: ToolResolution): readonly ToolConflict[] {
  return resolution.conflicts.filter((c) => c.winner === undefined);
}

type Naming = (
  candidates: readonly Candidate[],
  config: AggregationConfig,
) => {
  readonly named: ReadonlyArray<{ servedName: string; candidate: Candidate }>;
  readonly conflicts: ToolConflict[];
};

const NAMING: Record<ConflictResolution, Naming> = {
  prefix(candidates, config) {
    const format =
      config.conflictResolutionConfig?.prefixFormat || AGGREGATION_DEFAULTS.prefixFormat;
    return firstWins(
      candidates.map((candidate) => ({
        servedName: format.replaceAll('{workload}', candidate.backend) + candidate.name,
        candidate,
      })),
      'collision after prefixing: the first backend by name keeps it',
    );
  },
  priority(candidates, config) {
    const order = config.conflictResolutionConfig?.priorityOrder ?? [];
    const named: Array<{ servedName: string; candidate: Candidate }> = [];
    const conflicts: ToolConflict[] = [];
    for (const [name, group] of groupByName(candidates)) {
      const backends = group.map((c) => c.backend);
      if (group.length === 1) {
        named.push({ servedName: name, candidate: group[0] as Candidate });
      } else if (backends.some((b) => !order.includes(b))) {
        conflicts.push({
          name,
          backends,
          reason: 'a backend sharing the name is not in priorityOrder: every candidate is dropped',
        });
      } else {
        const winner = [...group].sort(
          (a, b) => order.indexOf(a.backend) - order.indexOf(b.backend),
        )[0] as Candidate;
        named.push({ servedName: name, candidate: winner });
        conflicts.push({
          name,
          backends,
          winner: winner.backend,
          reason: 'first in priorityOrder',
        });
      }
    }
    return { named, conflicts };
  },
  manual(candidates) {
    const named: Array<{ servedName: string; candidate: Candidate }> = [];
    const conflicts: ToolConflict[] = [];
    for (const [name, group] of groupByName(candidates)) {
      if (group.length === 1) named.push({ servedName: name, candidate: group[0] as Candidate });
      else {
        conflicts.push({
          name,
          backends: group.map((c) => c.backend),
          reason: 'unresolved: rename it with overrides under aggregation.tools',
        });
      }
    }
    return { named, conflicts };
  },
};

function groupByName(candidates: readonly Candidate[]): Map<string, Candidate[]> {
  const groups = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const group = groups.get(candidate.name);
    if (group === undefined) groups.set(candidate.name, [candidate]);
    else group.push(candidate);
  }
  return groups;
}

function firstWins(
  named: ReadonlyArray<{ servedName: string; candidate: Candidate }>,
  reason: string,
): ReturnType<Naming> {
  const kept = new Map<string, { servedName: string; candidate: Candidate }>();
  const losers = new Map<string, string[]>();
  for (const entry of named) {
    const first = kept.get(entry.servedName);
    if (first === undefined) kept.set(entry.servedName, entry);
    else
      losers.set(entry.servedName, [
        ...(losers.get(entry.servedName) ?? []),
        entry.candidate.backend,
      ]);
  }
  const conflicts = [...losers].map(([name, lost]) => {
    const winner = kept.get(name)?.candidate.backend;
    return { name, backends: [winner ?? '', ...lost], winner, reason };
  });
  return { named: [...kept.values()], conflicts };
}

function advertised(
  candidate: Candidate,
  config: AggregationConfig,
  entry: WorkloadToolConfig | undefined,
): boolean {
  if (config.excludeAllTools === true) return false;
  if (entry === undefined) return config.defaultToolVisibility !== 'deny';
  if (entry.excludeAll === true) return false;
  if (entry.filter !== undefined && entry.filter.length > 0) {
    return entry.filter.includes(candidate.name);
  }
  return true;
}
