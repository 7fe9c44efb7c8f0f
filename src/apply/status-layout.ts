import { ConfigError } from '../errors.js';

/**
 * Where the runtime's status goes in the VirtualMCPServer:
 *
 * - `top-level`: this project's CRD. The runtime owns its fields at the top of
 *   `status` (`phase`, `message`, counts, `discoveredBackends`, its conditions) beside
 *   the operator's.
 * - `runtime`: ToolHive's CRD (v0.63.0 and later). The runtime writes only the
 *   `status.runtime` snapshot; ToolHive's operator copies it to the top level and owns
 *   everything there.
 * - `auto`: `runtime` when the installed CRD's schema has `status.runtime`, else
 *   `top-level`.
 */
export type StatusLayout = 'auto' | 'top-level' | 'runtime';

/** A layout once chosen. */
export type ResolvedStatusLayout = Exclude<StatusLayout, 'auto'>;

/** Every accepted {@link StatusLayout}, for flags and validation. */
export const STATUS_LAYOUTS: readonly StatusLayout[] = ['auto', 'top-level', 'runtime'];

/**
 * Checks a layout given by a flag, an option or an environment variable.
 *
 * @throws ConfigError naming `field` when `value` is not one of {@link STATUS_LAYOUTS}.
 */
export function checkStatusLayout(field: string, value: unknown): StatusLayout {
  if (typeof value === 'string' && (STATUS_LAYOUTS as readonly string[]).includes(value)) {
    return value as StatusLayout;
  }
  throw new ConfigError(field, `one of ${STATUS_LAYOUTS.join(', ')}`, String(value));
}

/** Why a layout was chosen: logged, and shown by `vmcp-status inspect`. */
export type LayoutSource =
  /** Forced by an option, flag or `VMCP_STATUS_LAYOUT`. */
  | 'forced'
  /** The CRD's published schema (OpenAPI v3): `status.runtime` is there or not. */
  | 'schema'
  /** No schema to read: the object already holds `status.runtime`. */
  | 'object'
  /** Neither a schema nor a `status.runtime`: this project's layout. */
  | 'default';

/** A chosen layout and why. */
export interface LayoutDecision {
  readonly layout: ResolvedStatusLayout;
  readonly source: LayoutSource;
}

/** What {@link resolveStatusLayout} decides from. */
export interface LayoutEvidence {
  /** Whether the CRD's published status schema has `runtime`; `undefined` when it could not be read. */
  readonly schemaHasRuntime?: boolean | undefined;
  /** The object's status as read, if it was. */
  readonly objectStatus?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Picks the layout: a forced choice wins; otherwise the schema decides; without a
 * schema an object that already holds `status.runtime` does; otherwise `top-level`.
 * Pure.
 */
export function resolveStatusLayout(
  choice: StatusLayout,
  evidence: LayoutEvidence = {},
): LayoutDecision {
  if (choice !== 'auto') return { layout: choice, source: 'forced' };
  if (evidence.schemaHasRuntime !== undefined) {
    return { layout: evidence.schemaHasRuntime ? 'runtime' : 'top-level', source: 'schema' };
  }
  const runtime = evidence.objectStatus?.runtime;
  if (typeof runtime === 'object' && runtime !== null)
    return { layout: 'runtime', source: 'object' };
  return { layout: 'top-level', source: 'default' };
}

/** The runtime's part of a status as the server holds it: the top level, or `status.runtime`. */
export function runtimePartOf(
  layout: ResolvedStatusLayout,
  status: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  if (layout === 'top-level') return status === undefined ? undefined : { ...status };
  const runtime = status?.runtime;
  return typeof runtime === 'object' && runtime !== null && !Array.isArray(runtime)
    ? (runtime as Record<string, unknown>)
    : undefined;
}
