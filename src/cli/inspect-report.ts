import type { ManagedFieldsEntry } from '../apply/managed-status-fields.js';
import { runtimeConditionTypes } from '../apply/ownership.js';
import { auditOwnership, type AuditManagers, type AuditedField } from '../apply/ownership-audit.js';
import { runtimePartOf, type LayoutDecision } from '../apply/status-layout.js';

/** A VirtualMCPServer as `inspect` reads it. */
export interface InspectedObject {
  readonly apiVersion?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly managedFields?: readonly ManagedFieldsEntry[];
  };
  readonly status?: Readonly<Record<string, unknown>>;
}

/** A condition as `inspect` shows it. */
export interface InspectedCondition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** What `vmcp-status inspect` prints (`-o json` prints exactly this). */
export interface InspectReport {
  readonly name: string;
  readonly namespace: string;
  readonly apiVersion: string;
  /** The status layout and why: the CRD's schema, the object, or a flag. */
  readonly layout: LayoutDecision['layout'];
  readonly layoutSource: LayoutDecision['source'];
  /** `status.phase` and `status.message`: what `kubectl get` shows. */
  readonly phase?: string;
  readonly message?: string;
  /** The runtime's own report (the top level, or `status.runtime`). */
  readonly runtime: {
    readonly phase?: string;
    readonly message?: string;
    readonly backendCount?: number;
    readonly totalToolCount?: number;
    readonly healthyBackends?: number;
    readonly unhealthyBackends?: number;
    readonly discoveredBackends: number;
    readonly lastDiscoveryTime?: string;
    /** The runtime's conditions (`Ready`, `Degraded`, `BackendsDiscovered`). */
    readonly conditions: readonly InspectedCondition[];
  };
  /** `status.conditions`, every writer's. */
  readonly conditions: readonly InspectedCondition[];
  /** Every status field with each manager that owns it. */
  readonly fields: readonly AuditedField[];
  /** Managers owning a field the ownership table gives to another: exit 1 when any. */
  readonly foreignWriters: readonly string[];
}

/** The report on `object` in `decision`'s layout. Pure. */
export function inspectReport(
  object: InspectedObject,
  decision: LayoutDecision,
  managers: AuditManagers = {},
): InspectReport {
  const status = object.status ?? {};
  const own = runtimePartOf(decision.layout, status) ?? {};
  const audit = auditOwnership(object.metadata?.managedFields ?? [], decision.layout, managers);
  const runtimeTypes = new Set(runtimeConditionTypes());
  const runtime = {
    ...pick(own, ['phase', 'message', 'lastDiscoveryTime'], 'string'),
    ...pick(
      own,
      ['backendCount', 'totalToolCount', 'healthyBackends', 'unhealthyBackends'],
      'number',
    ),
    discoveredBackends: Array.isArray(own.discoveredBackends) ? own.discoveredBackends.length : 0,
    // The runtime's types only: at the top level the operator's sit beside them.
    conditions: conditionsOf(own.conditions).filter((c) => runtimeTypes.has(c.type)),
  };
  return {
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace ?? '',
    apiVersion: object.apiVersion ?? '',
    layout: decision.layout,
    layoutSource: decision.source,
    ...pick(status, ['phase', 'message'], 'string'),
    runtime,
    conditions: conditionsOf(status.conditions),
    fields: audit.fields,
    foreignWriters: audit.foreignWriters,
  };
}

function pick(
  from: Readonly<Record<string, unknown>>,
  keys: readonly string[],
  type: 'string' | 'number',
): Record<string, never> {
  return Object.fromEntries(
    keys.filter((k) => typeof from[k] === type).map((k) => [k, from[k]]),
  ) as Record<string, never>;
}

function conditionsOf(value: unknown): InspectedCondition[] {
  if (!Array.isArray(value)) return [];
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return (value as Array<Record<string, unknown>>).map((c) => ({
    type: text(c.type),
    status: text(c.status),
    reason: text(c.reason),
    message: text(c.message),
    lastTransitionTime: text(c.lastTransitionTime),
  }));
}
