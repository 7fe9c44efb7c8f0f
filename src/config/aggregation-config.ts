import { ConfigError } from '../errors.js';

/** How tools of several backends that share a name are served (ToolHive's `conflictResolution`). */
export type ConflictResolution = 'prefix' | 'priority' | 'manual';

/** Every {@link ConflictResolution}. */
export const CONFLICT_RESOLUTIONS: readonly ConflictResolution[] = ['prefix', 'priority', 'manual'];

/** One tool's override: what the vMCP serves it as. An empty value leaves it unchanged. */
export interface ToolOverride {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly annotations?: Readonly<Record<string, unknown>> | undefined;
}

/** One backend's tool settings (ToolHive's `aggregation.tools[]`, one per `workload`). */
export interface WorkloadToolConfig {
  /** The backend's name. */
  readonly workload: string;
  /** Serve only these tools (their names after `overrides`). Empty or absent: all. */
  readonly filter?: readonly string[] | undefined;
  /** Serve none of this backend's tools. */
  readonly excludeAll?: boolean | undefined;
  /** Keyed by the backend's own tool name. */
  readonly overrides?: Readonly<Record<string, ToolOverride>> | undefined;
}

/**
 * What the vMCP serves of its backends, named as ToolHive's `spec.config.aggregation`,
 * so a static-mode configuration means the same in both.
 */
export interface AggregationConfig {
  /** Defaults to `prefix`. */
  readonly conflictResolution?: ConflictResolution | undefined;
  readonly conflictResolutionConfig?:
    | {
        /** `{workload}` is replaced by the backend's name. Defaults to `{workload}_`. */
        readonly prefixFormat?: string | undefined;
        /** For `priority`: the first listed backend wins a conflict. */
        readonly priorityOrder?: readonly string[] | undefined;
      }
    | undefined;
  /** Serve no backend tool at all. Defaults to false. */
  readonly excludeAllTools?: boolean | undefined;
  /** Whether a backend without a `tools[]` entry has its tools served. Defaults to `allow`. */
  readonly defaultToolVisibility?: 'allow' | 'deny' | undefined;
  readonly tools?: readonly WorkloadToolConfig[] | undefined;
}

/** The defaults of {@link AggregationConfig}, as ToolHive's operator fills them in. */
export const AGGREGATION_DEFAULTS = {
  conflictResolution: 'prefix',
  prefixFormat: '{workload}_',
} as const;

/**
 * Checks what can be checked without the backends' tools, naming each bad field
 * (`aggregation.tools[1].overrides.search`); the conflicts themselves are found when
 * the tools are known (see `resolveTools`).
 *
 * @param field where the settings sit, e.g. `aggregation` or `spec.config.aggregation`
 * @returns every problem found, empty when none
 */
export function aggregationProblems(
  config: AggregationConfig,
  backendNames: readonly string[] | undefined,
  field = 'aggregation',
): ConfigError[] {
  // Without the backends (they come later, from a spec), names are not checked.
  const known = (name: string) => backendNames === undefined || backendNames.includes(name);
  const list = backendNames?.join(', ') || 'none configured';
  const problems: ConfigError[] = [];
  const strategy = config.conflictResolution ?? AGGREGATION_DEFAULTS.conflictResolution;
  if (!CONFLICT_RESOLUTIONS.includes(strategy)) {
    problems.push(
      new ConfigError(
        `${field}.conflictResolution`,
        `one of ${CONFLICT_RESOLUTIONS.join(', ')}`,
        strategy,
      ),
    );
  }
  const order = config.conflictResolutionConfig?.priorityOrder;
  if (strategy === 'priority') {
    if (order === undefined || order.length === 0) {
      problems.push(
        new ConfigError(
          `${field}.conflictResolutionConfig.priorityOrder`,
          'the backends in order of priority (the priority strategy needs it)',
        ),
      );
    }
    order?.forEach((name, index) => {
      if (!known(name)) {
        problems.push(
          new ConfigError(
            `${field}.conflictResolutionConfig.priorityOrder[${String(index)}]`,
            `a configured backend (${list})`,
            name,
          ),
        );
      }
    });
  }
  const seen = new Set<string>();
  (config.tools ?? []).forEach((entry, index) => {
    const at = `${field}.tools[${String(index)}]`;
    if (seen.has(entry.workload)) {
      problems.push(
        new ConfigError(`${at}.workload`, 'a backend no other tools[] entry names', entry.workload),
      );
    }
    seen.add(entry.workload);
    if (!known(entry.workload)) {
      problems.push(
        new ConfigError(`${at}.workload`, `a configured backend (${list})`, entry.workload),
      );
    }
    for (const [tool, override] of Object.entries(entry.overrides ?? {})) {
      if (!nonEmpty(override.name) && !nonEmpty(override.description)) {
        problems.push(
          new ConfigError(`${at}.overrides.${tool}`, 'a name or a description (or both)'),
        );
      }
    }
  });
  if (
    strategy === 'manual' &&
    !(config.tools ?? []).some((t) => Object.keys(t.overrides ?? {}).length > 0)
  ) {
    problems.push(
      new ConfigError(
        `${field}.tools`,
        'tool overrides that rename the conflicting tools (the manual strategy needs them)',
      ),
    );
  }
  return problems;
}

function nonEmpty(text: string | undefined): boolean {
  return text !== undefined && text !== '';
}
