import type { BackendHealthEvent } from '../types.js';
import type { BackendStates } from './derive-runtime-status.js';
import { stableHealthChanged } from './stable-health.js';

/**
 * The pipeline's keyed state: the latest check per configured backend. O(1) per
 * check; a status is derived from it only when one is emitted.
 *
 * Every update answers "is this worth a report?": a check that changes only
 * volatile fields is stored (so the next report carries it) but answers false.
 */
export class BackendStateTable implements BackendStates {
  readonly backends = new Map<string, BackendHealthEvent>();
  lastDiscoveryTime: Date | undefined;
  #configured: ReadonlySet<string> | undefined;
  #configuredNames: readonly string[] = [];
  /** Initially configured backends still waiting for their first check. */
  #awaitingFirstCheck = new Set<string>();

  /** The configured backend names, once known. */
  get configuredNames(): readonly string[] {
    return this.#configuredNames;
  }

  /** Whether the configured backends are known yet. */
  get isConfigured(): boolean {
    return this.#configured !== undefined;
  }

  /** Whether every initially configured backend has been checked (or removed). */
  get firstChecksDone(): boolean {
    return this.isConfigured && this.#awaitingFirstCheck.size === 0;
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
      this.lastDiscoveryTime = now;
      return true;
    }
    if (previous.size === next.size && [...next].every((name) => previous.has(name))) {
      return false;
    }
    for (const name of previous) {
      if (!next.has(name)) {
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
    this.#awaitingFirstCheck.delete(check.name);
    if (previous === undefined || previous.toolCount !== check.toolCount) {
      this.lastDiscoveryTime = now;
    }
    return previous === undefined || stableHealthChanged(previous, check);
  }
}
