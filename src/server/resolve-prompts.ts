import type { Prompt } from '@modelcontextprotocol/sdk/types.js';
import { compareNames } from '../reactive/derive-runtime-status.js';
import { AGGREGATION_DEFAULTS, type AggregationConfig } from '../config/aggregation-config.js';

/** One prompt the vMCP serves. */
export interface ServedPrompt {
  /** The name clients see and get. */
  readonly name: string;
  readonly backend: string;
  /** The backend's own name for it. */
  readonly originalName: string;
  readonly prompt: Prompt;
}

/**
 * Which prompts the vMCP serves, ToolHive's way: under `prefix` and `manual` every
 * prompt takes `prefixFormat` (`{workload}_` by default); under `priority` the prompts
 * of backends listed in `priorityOrder` keep their names (a name two listed backends
 * share goes to the first listed) and the others' are prefixed. A name two different
 * prompts still compose to goes to none of them. Pure; backends taken in name order;
 * the result sorted by served name.
 */
export function resolvePrompts(
  offered: ReadonlyMap<string, readonly Prompt[]>,
  config: AggregationConfig = {},
): readonly ServedPrompt[] {
  const format = config.conflictResolutionConfig?.prefixFormat || AGGREGATION_DEFAULTS.prefixFormat;
  const strategy = config.conflictResolution ?? AGGREGATION_DEFAULTS.conflictResolution;
  const order =
    strategy === 'priority' ? (config.conflictResolutionConfig?.priorityOrder ?? []) : [];
  const claims = new Map<string, Array<{ backend: string; prompt: Prompt; rank: number }>>();
  for (const backend of [...offered.keys()].sort(compareNames)) {
    const rank = order.indexOf(backend);
    for (const prompt of offered.get(backend) ?? []) {
      const name = rank >= 0 ? prompt.name : format.replaceAll('{workload}', backend) + prompt.name;
      const list = claims.get(name) ?? [];
      // The same backend offering one name twice: its first prompt keeps it.
      if (!list.some((c) => c.backend === backend)) list.push({ backend, prompt, rank });
      claims.set(name, list);
    }
  }
  const served: ServedPrompt[] = [];
  for (const [name, list] of claims) {
    let winner = list[0];
    if (list.length > 1) {
      // Only listed backends' bare names can be settled by priority.
      winner = list.every((c) => c.rank >= 0)
        ? [...list].sort((a, b) => a.rank - b.rank)[0]
        : undefined;
    }
    if (winner === undefined) continue;
    served.push({
      name,
      backend: winner.backend,
      originalName: winner.prompt.name,
      prompt: { ...winner.prompt, name },
    });
  }
  return served.sort((a, b) => compareNames(a.name, b.name));
}
