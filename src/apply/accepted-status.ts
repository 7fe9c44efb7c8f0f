import type { LaidOutPatch } from './k8s-reporter-options.js';
import { sameRuntimeStatus, serverHoldsApplied } from './runtime-status-fields.js';
import { runtimePartOf, type ResolvedStatusLayout } from './status-layout.js';
import type { ConditionJson } from './status-patch.js';

/**
 * The reporter's memory of the last status write the apiserver accepted: what it was,
 * in which layout, and when, so that a status saying the same is not sent again
 * (until the refresh period says a fresh write is due).
 */
export class AcceptedStatus {
  #patch: LaidOutPatch | undefined;
  #layout: ResolvedStatusLayout = 'top-level';
  #at = 0;

  /**
   * @param refreshMs a write older than this is refreshed even when nothing changed; 0: never.
   */
  constructor(
    private readonly refreshMs: number,
    private readonly now: () => number,
  ) {}

  /** The status subresource patch the server last accepted. */
  get patch(): LaidOutPatch | undefined {
    return this.#patch;
  }

  /** The layout of the last accepted write. */
  get layout(): ResolvedStatusLayout {
    return this.#layout;
  }

  accepted(patch: LaidOutPatch, layout: ResolvedStatusLayout): void {
    this.#patch = patch;
    this.#layout = layout;
    this.#at = this.now();
  }

  /** The object is gone, recreated, or another replica wrote: the last write no longer stands. */
  forget(): void {
    this.#patch = undefined;
  }

  /** Whether `server` still holds the last accepted write; undefined without one. */
  heldBy(server: Record<string, unknown> | undefined): boolean | undefined {
    return this.#patch === undefined
      ? undefined
      : serverHoldsApplied(server, this.#patch.status, this.#layout);
  }

  /** The conditions last accepted in `layout`, to carry their transition times. */
  conditions(layout: ResolvedStatusLayout): ConditionJson[] | undefined {
    if (this.#layout !== layout) return undefined;
    return runtimePartOf(layout, this.#patch?.status)?.conditions as ConditionJson[] | undefined;
  }

  /**
   * Nothing to write: `patch` says the same as the last accepted write or (when another
   * replica wrote last, or none yet) as `serverStatus`, check times aside; unless the
   * last write is older than the refresh period (less a little: see below).
   */
  holds(
    patch: LaidOutPatch,
    layout: ResolvedStatusLayout,
    serverStatus: Record<string, unknown> | undefined,
    intervalMs: number,
  ): boolean {
    // The pipeline re-sends a quiet status one refresh period after its last change;
    // the write that followed that change landed a little later (pacing, latency), so
    // a refresh is due a little early: by one report interval, at most a tenth.
    const earlyMs = Math.min(intervalMs, this.refreshMs / 10);
    const refreshDue =
      this.refreshMs > 0 && this.#at > 0 && this.now() - this.#at >= this.refreshMs - earlyMs;
    if (refreshDue) return false;
    const reference =
      this.#patch !== undefined && this.#layout === layout ? this.#patch.status : serverStatus;
    return reference !== undefined && sameRuntimeStatus(patch.status, reference, layout);
  }
}
