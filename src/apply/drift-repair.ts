import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import type { AcceptedStatus } from './accepted-status.js';
import type { BackoffOptions } from './backoff.js';
import { ownedOnlyBy } from './ownership-audit.js';
import { runtimeSummary } from './runtime-status-fields.js';
import {
  watchOwnObject,
  type OwnObject,
  type OwnObjectEventType,
  type OwnObjectRef,
  type OwnObjectWatch,
} from './watch-own-object.js';

/** Options of {@link DriftRepair}. */
export interface DriftRepairOptions {
  readonly kubeConfig: KubeConfig;
  readonly ref: OwnObjectRef;
  readonly logger: Logger;
  /** Watch restarts after failures. */
  readonly backoff?: BackoffOptions | undefined;
  /**
   * The runtime's last accepted write: what the server should still hold. Forgotten
   * when the object is gone or recreated, or another replica wrote.
   */
  readonly accepted: AcceptedStatus;
  /**
   * The runtime's field manager: a change by it (another replica's apply) is no drift,
   * it is the status now; this replica writes again only when its own view changes.
   */
  readonly fieldManager: string;
  /** Apply the latest status again; `repair` when it undoes another writer's change. */
  readonly resubmit: (repair: boolean) => void;
}

/**
 * Watches the runtime's own VirtualMCPServer and re-applies when another writer
 * changed a field the runtime owns: from the watch, not by periodic rewrites, and at
 * most once per report interval. It also notices the object deleted (the latest status
 * waits) and recreated (it is applied at once).
 */
export class DriftRepair {
  /** At most one repair per this many ms; the reporter's interval. */
  intervalMs = 30_000;
  #watch: OwnObjectWatch | undefined;
  #resourceVersion: string | undefined;
  #uid: string | undefined;
  #generation: number | undefined;
  #serverStatus: Record<string, unknown> | undefined;
  #serverObject: OwnObject | undefined;
  #waitingForObject = false;
  #lastRepairAt = 0;
  #repairTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly options: DriftRepairOptions) {}

  /** The object's uid, once read or written. */
  get uid(): string | undefined {
    return this.#uid;
  }

  /** The object's `metadata.generation` as last seen: what the runtime's conditions observed. */
  get generation(): number | undefined {
    return this.#generation;
  }

  /** The newest resourceVersion seen. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** The status as last read from the server (a write's answer, a watch event). */
  get serverStatus(): Record<string, unknown> | undefined {
    return this.#serverStatus;
  }

  /** Starts the watch from the last resourceVersion seen (or from now). */
  start(): void {
    this.#stopped = false;
    this.#watch?.stop();
    this.#watch = watchOwnObject({
      kubeConfig: this.options.kubeConfig,
      ref: this.options.ref,
      resourceVersion: this.#resourceVersion,
      onObject: (type, object) => {
        this.#onObject(type, object);
      },
      logger: this.options.logger,
      ...(this.options.backoff !== undefined ? { backoff: this.options.backoff } : {}),
    });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#repairTimer);
    this.#repairTimer = undefined;
    this.#watch?.stop();
  }

  /** Notes the object as a read or a write returned it; the watch resumes after it. */
  observe(object: OwnObject): void {
    this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
    this.#watch?.observe(object.metadata?.resourceVersion);
    this.#uid = object.metadata?.uid ?? this.#uid;
    this.#generation = object.metadata?.generation ?? this.#generation;
    this.#serverStatus = object.status;
    this.#serverObject = object;
  }

  /** A write found no object (404): the latest status is applied when the watch sees it. */
  waitForObject(): void {
    this.#waitingForObject = true;
  }

  /** A write went through: the object exists. */
  accepted(object: OwnObject): void {
    this.#waitingForObject = false;
    this.observe(object);
  }

  #onObject(type: OwnObjectEventType, object: OwnObject): void {
    if (type === 'DELETED') {
      this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
      this.#uid = undefined;
      this.#waitingForObject = true;
      this.options.accepted.forget();
      this.options.logger.info(
        'VirtualMCPServer deleted: status is applied again when it is recreated',
      );
      return;
    }
    const recreated =
      this.#uid !== undefined &&
      object.metadata?.uid !== undefined &&
      object.metadata.uid !== this.#uid;
    const before = this.#generation;
    this.observe(object);
    if (this.#waitingForObject || recreated) {
      this.#waitingForObject = false;
      this.options.accepted.forget();
      this.options.resubmit(false);
      return;
    }
    // A spec change: the runtime's conditions say which generation they observed, so
    // the latest status goes out again with the new one (one write per spec change).
    if (before !== undefined && this.#generation !== before) {
      this.options.resubmit(false);
      return;
    }
    this.#checkDrift();
  }

  /** Whether runtime fields were last written by another field manager than the runtime's. */
  #foreign(): boolean {
    const object = this.#serverObject;
    const { fieldManager, accepted } = this.options;
    return (
      object === undefined ||
      !ownedOnlyBy(object.metadata?.managedFields, fieldManager, accepted.layout)
    );
  }

  /** Someone else changed runtime-owned fields: re-apply, at most once per report interval. */
  #checkDrift(): void {
    if (this.#repairTimer !== undefined || this.#stopped) return;
    if (this.options.accepted.heldBy(this.#serverStatus) !== false) return;
    if (!this.#foreign()) {
      this.options.accepted.forget();
      return;
    }
    const delay = Math.max(200, this.#lastRepairAt + this.intervalMs - Date.now());
    this.#repairTimer = setTimeout(() => {
      this.#repairTimer = undefined;
      // Our own later apply may have arrived meanwhile: only repair real drift.
      if (this.#stopped || this.options.accepted.heldBy(this.#serverStatus) !== false) return;
      if (!this.#foreign()) {
        this.options.accepted.forget();
        return;
      }
      this.#lastRepairAt = Date.now();
      this.options.logger.info(
        { server: runtimeSummary(this.#serverStatus, this.options.accepted.layout) },
        'runtime-owned status fields were changed by another writer: re-applying',
      );
      this.options.resubmit(true);
    }, delay);
    this.#repairTimer.unref();
  }
}
