import type { ReporterTuning } from './ours-runtime.js';

/** Which CRD a subject writes: this project's, or the bench fixture of ToolHive's (status.runtime). */
export type CrdKind = 'project' | 'toolhive';

/**
 * One row of every table: a runtime writing status, an operator beside it, on a CRD
 * it accepts.
 *
 * - runtime `ours`: the reactive pipeline + K8sReporter (bench/ours-runtime.ts);
 *   `toolhive`: the Go reproduction's reporter role (bench/toolhive-baseline/).
 * - operator `ours`: this project's operator (in-process VmcpOperator at scale, its
 *   status apply on a timer in the timeline runs); `toolhive`: the Go reproduction's
 *   projection and operator-writer roles.
 */
export interface Subject {
  /** Lower-case, DNS-label safe: namespaces are named after it. */
  readonly id: string;
  readonly label: string;
  readonly crd: CrdKind;
  readonly runtime: 'ours' | 'toolhive';
  readonly operator: 'ours' | 'toolhive';
  /** K8sReporter settings for an `ours` runtime, e.g. a status layout. */
  readonly reporter?: ReporterTuning;
}

/**
 * The rows, in table order: ours on our CRD, ours in ToolHive's layout on ToolHive's
 * CRD beside ToolHive's projection, and ToolHive's own reporter there.
 */
export const SUBJECTS: readonly Subject[] = [
  { id: 'ours', label: 'vmcp-status', crd: 'project', runtime: 'ours', operator: 'ours' },
  {
    id: 'ours-runtime',
    label: 'vmcp-status, runtime layout on ToolHive’s CRD',
    crd: 'toolhive',
    runtime: 'ours',
    operator: 'toolhive',
    reporter: { statusLayout: 'runtime' },
  },
  {
    id: 'toolhive',
    label: 'ToolHive v0.63.0 (reproduction)',
    crd: 'toolhive',
    runtime: 'toolhive',
    operator: 'toolhive',
  },
];

/** The subject the targets are about, and the one it is compared with. */
export const OURS = 'ours';
export const TOOLHIVE = 'toolhive';
