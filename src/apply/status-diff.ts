import { stableHealthChanged } from '../reactive/stable-health.js';
import type {
  BackendHealthReport,
  BackendHealthStatus,
  ErrorCategory,
  RuntimeStatus,
} from '../types.js';

/** How one backend changed between two reported statuses. */
export interface BackendChange {
  readonly name: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly from?: BackendHealthStatus;
  readonly to?: BackendHealthStatus;
  readonly toolCount?: number;
  readonly errorCategory?: ErrorCategory;
}

/** The backends whose stable fields differ between two statuses, sorted by name. O(backends). */
export function backendChanges(
  previous: readonly BackendHealthReport[],
  next: readonly BackendHealthReport[],
): BackendChange[] {
  const before = new Map(previous.map((b) => [b.name, b]));
  const changes: BackendChange[] = [];
  for (const backend of next) {
    const old = before.get(backend.name);
    before.delete(backend.name);
    if (old === undefined) {
      changes.push(describe(backend, 'added', undefined));
    } else if (stableHealthChanged(old, backend)) {
      changes.push(describe(backend, 'changed', old.status));
    }
  }
  for (const gone of before.values()) {
    changes.push({ name: gone.name, kind: 'removed', from: gone.status });
  }
  return changes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** True when a status differs from the previous one in anything but volatile fields. */
export function runtimeStatusChanged(
  previous: RuntimeStatus | undefined,
  next: RuntimeStatus,
): boolean {
  return (
    previous === undefined ||
    previous.phase !== next.phase ||
    previous.message !== next.message ||
    previous.totalToolCount !== next.totalToolCount ||
    previous.backendCount !== next.backendCount ||
    previous.healthyBackends !== next.healthyBackends ||
    previous.unhealthyBackends !== next.unhealthyBackends ||
    backendChanges(previous.backends, next.backends).length > 0
  );
}

function describe(
  backend: BackendHealthReport,
  kind: 'added' | 'changed',
  from: BackendHealthStatus | undefined,
): BackendChange {
  return {
    name: backend.name,
    kind,
    ...(from === undefined ? {} : { from }),
    to: backend.status,
    toolCount: backend.toolCount,
    ...(backend.errorCategory === undefined ? {} : { errorCategory: backend.errorCategory }),
  };
}
