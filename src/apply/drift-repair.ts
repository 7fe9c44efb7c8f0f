import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import type { BackoffOptions } from './backoff.js';
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
   * Whether a status read from the server still holds the runtime's last accepted
   * write; `undefined` when there is none to compare with.
   */
  readonly holdsApplied: (status: Record<string, unknown> | undefined) => boolean | undefined;
  /** The object is gone or was recreated: the last accepted write no longer stands. */
  readonly forget: () => void;
  /** Apply the latest status again; `repair` when it undoes another writer's change. */
  readonly resubmit: (repair: boolean) => void;
  /** A few fields of the server's status for the repair log line. */
  readonly summarize: (status: Record<string, unknown> | undefined) => Record<string, unknown>;
  /**
   * Whether the object's runtime fields were last written by someone other than this
   * runtime's field manager (by apply). Defaults to always: every difference is drift.
   */
  readonly foreign?: (object: OwnObject) => boolean;
  /** A difference that is not foreign: another replica wrote; nothing is repaired. */
  readonly replicaWrote?: () => void;
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
      this.options.forget();
      this.options.logger.info(
        'VirtualMCPServer deleted: status is applied again when it is recreated',
      );
      return;
    }
    const recreated =
      this.#uid !== undefined &&
      object.metadata?.uid !== undefined &&
      object.metadata.uid !== this.#uid;
    this.observe(object);
    if (this.#waitingForObject || recreated) {
      this.#waitingForObject = false;
      this.options.forget();
      this.options.resubmit(false);
      return;
    }
    this.#checkDrift();
  }

  #foreign(): boolean {
    const object = this.#serverObject;
    return (
      object === undefined || this.options.foreign === undefined || this.options.foreign(object)
    );
  }

  /** Someone else changed runtime-owned fields: re-apply, at most once per report interval. */
  #checkDrift(): void {
    if (this.#repairTimer !== undefined || this.#stopped) return;
    if (this.options.holdsApplied(this.#serverStatus) !== false) return;
    if (!this.#foreign()) {
      this.options.replicaWrote?.();
      return;
    }
    const delay = Math.max(200, this.#lastRepairAt + this.intervalMs - Date.now());
    this.#repairTimer = setTimeout(() => {
      this.#repairTimer = undefined;
      // Our own later apply may have arrived meanwhile: only repair real drift.
      if (this.#stopped || this.options.holdsApplied(this.#serverStatus) !== false) return;
      if (!this.#foreign()) {
        this.options.replicaWrote?.();
        return;
      }
      this.#lastRepairAt = Date.now();
      this.options.logger.info(
        { server: this.options.summarize(this.#serverStatus) },
        'runtime-owned status fields were changed by another writer: re-applying',
      );
      this.options.resubmit(true);
    }, delay);
    this.#repairTimer.unref();
  }
}
