import type { BackendHealthEvent, BackendHealthStatus } from '../types.js';
import {
  derivePhase,
  phaseKey,
  type BackendStates,
  type ServedCatalogue,
} from './derive-runtime-status.js';
import { stableHealthChanged } from './stable-health.js';

/**
 * The pipeline's keyed state: the latest check per configured backend, and what the
 * vMCP serves when the embedder says. O(1) per check; a status is derived from it only
 * when one is emitted, but the phase is known at every change (counts kept as checks
 * arrive), so a phase change can be reported at once.
 *
 * Every update answers "is this worth a report?": a check that changes only
 * volatile fields is stored (so the next report carries it) but answers false.
 */
export class BackendStateTable implements BackendStates {
  readonly backends = new Map<string, BackendHealthEvent>();
  lastDiscoveryTime: Date | undefined;
  served: ServedCatalogue | undefined;
  #configured: ReadonlySet<string> | undefined;
  #configuredNames: readonly string[] = [];
  /** Initially configured backends still waiting for their first check. */
  #awaitingFirstCheck = new Set<string>();
  /** Checked configured backends by status (valid once configured). */
  #counts: Record<BackendHealthStatus, number> = emptyCounts();

  /** @param awaitServed the first report also waits for the first served catalogue */
  constructor(private readonly awaitServed = false) {}

  /** The configured backend names, once known. */
  get configuredNames(): readonly string[] {
    return this.#configuredNames;
  }

  /** Whether the configured backends are known yet. */
  get isConfigured(): boolean {
    return this.#configured !== undefined;
  }

  /**
   * Whether every initially configured backend has been checked (or removed) and, when
   * the embedder gives a served catalogue, its first one came.
   */
  get firstChecksDone(): boolean {
    return (
      this.isConfigured &&
      this.#awaitingFirstCheck.size === 0 &&
      (!this.awaitServed || this.served !== undefined)
    );
  }

  /** The phase and Ready status the current state derives to (see `derivePhase`). O(1). */
  get phaseKey(): string {
    const c = this.#counts;
    const routable = c.healthy + c.unauthenticated;
    return phaseKey(
      derivePhase({
        configured: this.#configuredNames.length,
        checked: c.healthy + c.degraded + c.unhealthy + c.unauthenticated + c.unknown,
        routable,
        usable: routable + c.degraded,
      }),
    );
  }

  /** Sets the configured backends; a removed backend's state is forgotten. */
  setConfigured(names: readonly string[], now: Date): boolean {
    const next = new Set(names);
    const previous = this.#configured;
    this.#configured = next;
    this.#configuredNames = [...next];
    if (previous === undefined) {
      // Checks that came before the configuration count if their backend is configured.
      for (const name of this.backends.keys()) if (!next.has(name)) this.backends.delete(name);
      this.#awaitingFirstCheck = new Set([...next].filter((name) => !this.backends.has(name)));
      this.#counts = emptyCounts();
      for (const check of this.backends.values()) this.#counts[check.status]++;
      this.lastDiscoveryTime = now;
      return true;
    }
    if (previous.size === next.size && [...next].every((name) => previous.has(name))) {
      return false;
    }
    for (const name of previous) {
      if (!next.has(name)) {
        const check = this.backends.get(name);
        if (check !== undefined) this.#counts[check.status]--;
        this.backends.delete(name);
        this.#awaitingFirstCheck.delete(name);
      }
    }
    this.lastDiscoveryTime = now;
    return true;
  }

  /**
   * Records a check. Checks of backends that are not configured (a removed backend's
   * late result) are ignored; checks that come before the configuration is known are
   * kept until it is.
   */
  applyCheck(check: BackendHealthEvent, now: Date): boolean {
    if (this.#configured !== undefined && !this.#configured.has(check.name)) return false;
    const previous = this.backends.get(check.name);
    this.backends.set(check.name, check);
    if (this.#configured !== undefined) {
      if (previous !== undefined) this.#counts[previous.status]--;
      this.#counts[check.status]++;
    }
    this.#awaitingFirstCheck.delete(check.name);
    if (
      this.served === undefined &&
      (previous === undefined || previous.toolCount !== check.toolCount)
    ) {
      this.lastDiscoveryTime = now;
    }
    if (previous === undefined) return true;
    // With a served catalogue, the checks' own tool counts are not reported.
    return this.served === undefined
      ? stableHealthChanged(previous, check)
      : stableHealthChanged(previous, { ...check, toolCount: previous.toolCount });
  }

  /**
   * Records what the vMCP serves. Worth a report when a configured backend's served
   * tool count changed (the names alone are not reported).
   */
  applyServed(served: ServedCatalogue, now: Date): boolean {
    const previous = this.served;
    this.served = served;
    const names = this.#configured ?? new Set([...served.keys(), ...(previous?.keys() ?? [])]);
    let changed = previous === undefined;
    for (const name of names) {
      if ((previous?.get(name)?.length ?? 0) !== (served.get(name)?.length ?? 0)) changed = true;
    }
    if (changed) this.lastDiscoveryTime = now;
    return changed;
  }
}

function emptyCounts(): Record<BackendHealthStatus, number> {
  return { healthy: 0, degraded: 0, unhealthy: 0, unauthenticated: 0, unknown: 0 };
}
