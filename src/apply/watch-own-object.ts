import { ApiException, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import type { ManagedFieldsEntry } from './managed-status-fields.js';
import { classifyApplyError } from './apply-error.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

/** One namespaced custom object, e.g. a runtime's own VirtualMCPServer. */
export interface OwnObjectRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}

/** The parts of a custom object the watchers read. */
export interface OwnObject {
  readonly metadata?: {
    readonly resourceVersion?: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly managedFields?: readonly ManagedFieldsEntry[];
  };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** What happened to the object: a re-read after 410 Gone arrives as `MODIFIED`. */
export type OwnObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Options of {@link watchOwnObject}. */
export interface WatchOwnObjectOptions {
  readonly kubeConfig: KubeConfig;
  readonly ref: OwnObjectRef;
  /** Every change of the object, in order. Bookmarks only move the resourceVersion. */
  readonly onObject: (type: OwnObjectEventType, object: OwnObject) => void;
  /**
   * Start by reading the object (GET, delivered as `ADDED`) and watch from its
   * resourceVersion. Defaults to false: watch from `resourceVersion` at once.
   */
  readonly readFirst?: boolean;
  /** Where the watch starts when not reading first; undefined: from now. */
  readonly resourceVersion?: string | undefined;
  /**
   * A read answered 404: the watch goes on from now and sees the object when it is
   * created. `resourceMissing`: the server does not serve the resource (no CRD).
   */
  readonly onNotFound?: (resourceMissing: boolean) => void;
  /** A read or watch failed (other than 404 and 410); it is retried with backoff. */
  readonly onError?: (verb: 'get' | 'watch', err: unknown) => void;
  /** Retry pacing after failures. */
  readonly backoff?: BackoffOptions;
  /** Debug lines about restarts. Defaults to a silent logger. */
  readonly logger?: Logger;
  /**
   * How long one watch request lasts before the apiserver ends it and it is resumed.
   * Defaults to 300 s (a quiet object then costs one request per 5 minutes).
   */
  readonly timeoutSeconds?: number;
}

/** A running {@link watchOwnObject}. */
export interface OwnObjectWatch {
  /** The newest resourceVersion seen. */
  readonly resourceVersion: string | undefined;
  /** Notes a resourceVersion seen elsewhere (a write's answer): the watch resumes from it. */
  observe(resourceVersion: string | undefined): void;
  /** Ends the watch; nothing is delivered afterwards. Safe to call more than once. */
  stop(): void;
}

/** A watch that ended normally sooner than this without an event counts as a failure. */
const SHORTEST_NORMAL_WATCH_MS = 1_000;

/** Reads one custom object (GET). */
export async function readOwnObject(kubeConfig: KubeConfig, ref: OwnObjectRef): Promise<OwnObject> {
  return (await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: ref.group,
    version: ref.version,
    namespace: ref.namespace,
    plural: ref.plural,
    name: ref.name,
  })) as OwnObject;
}

/**
 * Watches one namespaced custom object by name, the way a process watches its own
 * object with RBAC limited to `get` and `watch` on it (`resourceNames`): a watch with
 * `fieldSelector=metadata.name=NAME` (the apiserver authorizes it by name), never a
 * `list`.
 *
 * - Resumes from the last resourceVersion seen (events, bookmarks, {@link
 *   OwnObjectWatch.observe}), so a restart neither repeats nor misses a change.
 * - 410 Gone (the resourceVersion is too old): re-reads the object with GET, delivers
 *   it as `MODIFIED`, and watches from there.
 * - Errors (403, 5xx, the apiserver gone): retried with exponential backoff.
 */
export function watchOwnObject(options: WatchOwnObjectOptions): OwnObjectWatch {
  const { ref, kubeConfig } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const path = `/apis/${ref.group}/${ref.version}/namespaces/${ref.namespace}/${ref.plural}`;
  let resourceVersion = options.resourceVersion;
  let stopped = false;
  let attempt = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let abort: AbortController | undefined;

  const deliver = (type: OwnObjectEventType, object: OwnObject): void => {
    if (stopped) return;
    resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
    options.onObject(type, object);
  };

  const failed = (verb: 'get' | 'watch', err: unknown): number => {
    if (!stopped) options.onError?.(verb, err);
    return backoffDelay(attempt++, options.backoff);
  };

  /** After `delayMs`: read the object when asked (`first`: at start; `again`: after 410), then watch. */
  const schedule = (delayMs: number, read: 'first' | 'again' | false): void => {
    if (stopped) return;
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void (async () => {
        if (read) {
          try {
            const object = await readOwnObject(kubeConfig, ref);
            attempt = 0;
            deliver(read === 'first' ? 'ADDED' : 'MODIFIED', object);
          } catch (err) {
            if (stopped) return;
            const failure = classifyApplyError(err);
            if (failure.kind !== 'not-found') {
              schedule(failed('get', err), read);
              return;
            }
            // Gone: watch from now, which shows the object when it is created again.
            resourceVersion = undefined;
            options.onNotFound?.(failure.resourceMissing);
          }
        }
        watch();
      })();
    }, delayMs);
    restartTimer.unref();
  };

  const watch = (): void => {
    if (stopped) return;
    let gone = false;
    let sawEvent = false;
    const started = Date.now();
    const watcher = new Watch(kubeConfig);
    // client-node aborts a watch silent for 30 s (a private setting); a quiet object's
    // watch is silent until the server ends it, so the client must wait longer.
    const settable = watcher as unknown as { requestTimeoutMs?: unknown };
    if (typeof settable.requestTimeoutMs === 'number') {
      settable.requestTimeoutMs = Math.max(settable.requestTimeoutMs, (timeoutSeconds + 30) * 1000);
    }
    void watcher
      .watch(
        path,
        {
          fieldSelector: `metadata.name=${ref.name}`,
          allowWatchBookmarks: true,
          timeoutSeconds,
          ...(resourceVersion !== undefined ? { resourceVersion } : {}),
        },
        (type: string, object: OwnObject) => {
          if (stopped) return;
          sawEvent = true;
          attempt = 0;
          if (type === 'ERROR') {
            if ((object as { code?: number }).code === 410) gone = true;
            return;
          }
          if (type === 'BOOKMARK') {
            resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
            return;
          }
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') deliver(type, object);
        },
        (err: unknown) => {
          if (stopped) return;
          if (statusCodeOf(err) === 410) gone = true;
          const ended = err === null || err === undefined;
          if (gone) {
            logger.debug('watch: resourceVersion too old, reading the object again');
            schedule(0, 'again');
          } else if (ended && (sawEvent || Date.now() - started >= SHORTEST_NORMAL_WATCH_MS)) {
            // A watch that ends normally is resumed at once.
            schedule(0, false);
          } else {
            const delay = failed('watch', err ?? new Error('the watch ended at once'));
            logger.debug({ err: messageOf(err), delayMs: delay }, 'watch failed: retrying');
            schedule(delay, false);
          }
        },
      )
      .then((controller) => {
        abort = controller;
        if (stopped) controller.abort();
      })
      .catch((err: unknown) => {
        // The request could not even be built (e.g. credentials failed to load).
        logger.debug({ err: messageOf(err) }, 'watch could not start');
        schedule(failed('watch', err), false);
      });
  };

  if (options.readFirst === true) schedule(0, 'first');
  else watch();

  return {
    get resourceVersion() {
      return resourceVersion;
    },
    observe(next) {
      if (next !== undefined) resourceVersion = next;
    },
    stop() {
      stopped = true;
      clearTimeout(restartTimer);
      abort?.abort();
    },
  };
}

function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
