import { map, scan, type Observable } from 'rxjs';
import { deriveRuntimeStatus } from '../src/reactive/derive-runtime-status.js';
import type { BackendHealthEvent, RuntimeStatus } from '../src/types.js';

/**
 * The pipeline one writes first, kept here only to compare against: the latest check
 * of every backend combined into one map, and a whole status derived on every event,
 * volatile or not, with nothing to skip and nothing to pace. Each derived status would
 * be a report (a write) too; the benchmark only counts what the derivations cost.
 */
export function naiveRuntimeStatus(
  checks$: Observable<BackendHealthEvent>,
  configuredNames: readonly string[],
  now: () => Date,
): Observable<RuntimeStatus> {
  return checks$.pipe(
    scan((latest, check) => latest.set(check.name, check), new Map<string, BackendHealthEvent>()),
    map((latest) => deriveRuntimeStatus({ backends: latest }, configuredNames, now())),
  );
}
