import { VMCP_PLURAL, crdMissingMessage, vmcpResource } from '../apply/vmcp-resource.js';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  Observable,
  ReplaySubject,
  Subject,
  connectable,
  distinctUntilChanged,
  firstValueFrom,
  map,
  takeUntil,
} from 'rxjs';
import { pino } from 'pino';
import { classifyApplyError } from '../apply/apply-error.js';
import type { BackoffOptions } from '../apply/backoff.js';
import type { ObjectRef } from '../apply/status-patch.js';
import { watchOwnObject, type OwnObject } from '../apply/watch-own-object.js';
import type { Logger } from '../logger.js';
import type { BackendConfig } from './backend-config.js';
import {
  parseVmcpSpec,
  sameBackends,
  sameVmcpSpecSettings,
  type VmcpSpecSettings,
} from './vmcp-spec.js';

/** Options of {@link watchVmcpSpec}. */
export interface WatchVmcpSpecOptions {
  /** Needs `get` and `watch` on the object; nothing else (no `list`). */
  readonly kubeConfig: KubeConfig;
  /** The runtime's own VirtualMCPServer; `apiVersion` defaults to `vmcp-status.dev/v1beta1`. */
  readonly ref: ObjectRef;
  /** Spec changes at info, unreadable fields at warn, RBAC refusals at error. Defaults to silent. */
  readonly logger?: Logger;
  /** Retry pacing after failed reads and watches. */
  readonly backoff?: BackoffOptions;
}

/** One reading of the spec: its settings and the generation they come from. */
export interface VmcpSpecReading extends VmcpSpecSettings {
  /** `metadata.generation` of the object read. */
  readonly generation: number | undefined;
}

const PLURAL = VMCP_PLURAL;

/**
 * The runtime's own VirtualMCPServer `spec` as it changes: one GET, then a watch on
 * that single object (see `watchOwnObject`: resumed from the last resourceVersion,
 * re-read on 410 Gone, retried with backoff), so RBAC `get` and `watch` on the object
 * (`resourceNames`) is all it needs.
 *
 * - Emits the first reading, then one per spec change: an event whose
 *   `metadata.generation` was already seen (a status write, the runtime's own
 *   included) is ignored, and so is a new generation that asks for the same backends
 *   and settings (say, only `replicas` changed).
 * - The object deleted: nothing is emitted (the last backends stay); created again:
 *   its spec is read as new.
 * - Never errors or completes; failures are logged (once, until it works again) and
 *   retried. Each subscription has its own watch; unsubscribing ends it.
 */
export function watchVmcpSpec(options: WatchVmcpSpecOptions): Observable<VmcpSpecReading> {
  const { group, version } = vmcpResource(options.ref.apiVersion);
  const { name, namespace } = options.ref;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'spec-watch',
    vmcp: `${namespace}/${name}`,
  });

  return new Observable<VmcpSpecReading>((subscriber) => {
    let last: VmcpSpecReading | undefined;
    let seen: { uid: string | undefined; generation: number | undefined } | undefined;
    const logged = new Set<string>();

    const onObject = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: OwnObject): void => {
      logged.clear();
      if (type === 'DELETED') {
        seen = undefined;
        logger.info(
          'VirtualMCPServer deleted: keeping its last backends until it is created again',
        );
        return;
      }
      const uid = object.metadata?.uid;
      const generation = object.metadata?.generation;
      // Status writes do not move the generation: only spec changes count.
      if (
        seen !== undefined &&
        generation !== undefined &&
        seen.uid === uid &&
        seen.generation === generation
      ) {
        return;
      }
      seen = { uid, generation };
      const { settings, problems } = parseVmcpSpec(object.spec);
      for (const problem of problems) {
        logger.warn({ generation }, `VirtualMCPServer spec field ignored: ${problem}`);
      }
      const reading: VmcpSpecReading = { ...settings, generation };
      if (last !== undefined && sameVmcpSpecSettings(last, reading)) return;
      logger.info(
        { generation, backends: reading.backends.map((b) => b.name) },
        last === undefined
          ? 'backends read from the VirtualMCPServer spec'
          : 'VirtualMCPServer spec changed',
      );
      last = reading;
      subscriber.next(reading);
    };

    const once = (key: string, log: () => void): void => {
      if (logged.has(key)) return;
      logged.add(key);
      log();
    };

    const watch = watchOwnObject({
      kubeConfig: options.kubeConfig,
      ref: { group, version, plural: PLURAL, namespace, name },
      readFirst: true,
      onObject,
      onNotFound: (resourceMissing) => {
        if (resourceMissing) {
          once('crd-missing', () => {
            logger.error(
              { crd: `${PLURAL}.${group}` },
              `${crdMissingMessage(group, PLURAL)}; waiting for it`,
            );
          });
          return;
        }
        once('not-found', () => {
          logger.warn('VirtualMCPServer not found: waiting for it to be created');
        });
      },
      onError: (verb, err) => {
        const failure = classifyApplyError(err);
        const statusCode = (err as { statusCode?: unknown } | undefined)?.statusCode;
        if (failure.kind === 'forbidden' || statusCode === 403) {
          once(`forbidden-${verb}`, () => {
            logger.error(
              { verb, resource: PLURAL, apiGroup: group, name, namespace },
              `RBAC: this identity may not ${verb} ${PLURAL} "${name}" in namespace "${namespace}"; grant verbs "get" and "watch" on resource "${PLURAL}" in apiGroup "${group}" (resourceNames: ["${name}"]) to the runtime's ServiceAccount`,
            );
          });
          return;
        }
        const reason = err instanceof Error ? err.message : String(err);
        if (logged.has(`failing-${verb}`)) {
          logger.debug({ verb, reason }, 'reading the VirtualMCPServer spec still fails');
          return;
        }
        once(`failing-${verb}`, () => {
          logger.warn({ verb, reason }, 'reading the VirtualMCPServer spec failed: retrying');
        });
      },
      logger,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
    return () => {
      watch.stop();
    };
  });
}

/** The backends of each spec reading, emitted only when they change. */
export function specBackends(
  spec$: Observable<VmcpSpecSettings>,
): Observable<readonly BackendConfig[]> {
  return spec$.pipe(
    map((spec) => spec.backends),
    distinctUntilChanged(sameBackends),
  );
}

/** What {@link followVmcpSpec} returns. */
export interface FollowedVmcpSpec {
  /**
   * The first reading: resolves once the object was read (failures are retried until
   * then); rejects when {@link stop} comes first.
   */
  readonly first: Promise<VmcpSpecReading>;
  /** Every reading, the latest replayed to a late subscriber; completes on {@link stop}. */
  readonly spec$: Observable<VmcpSpecReading>;
  /** The backends, emitted when they change: the `backends$` of `startStatusReporting`. */
  readonly backends$: Observable<readonly BackendConfig[]>;
  /** Ends the watch. Safe to call more than once. */
  stop(): void;
}

/**
 * Follows the runtime's own VirtualMCPServer spec with one watch shared by every
 * subscriber (see {@link watchVmcpSpec}), started at once.
 *
 * ```ts
 * const spec = followVmcpSpec({ kubeConfig, ref: { name: 'demo', namespace: 'default' } });
 * const first = await spec.first;
 * const reporting = startStatusReporting({
 *   backends$: spec.backends$,
 *   reporter,
 *   monitor: first.monitor,
 *   reportIntervalMs: first.reportIntervalMs ?? 30_000,
 * });
 * ```
 */
export function followVmcpSpec(options: WatchVmcpSpecOptions): FollowedVmcpSpec {
  const stop$ = new Subject<void>();
  const spec$ = connectable(watchVmcpSpec(options).pipe(takeUntil(stop$)), {
    connector: () => new ReplaySubject<VmcpSpecReading>(1),
    resetOnDisconnect: false,
  });
  const first = firstValueFrom(spec$);
  // Nobody may wait for it; a stop before the first reading is no failure.
  first.catch(() => undefined);
  spec$.connect();
  return {
    first,
    spec$,
    backends$: specBackends(spec$),
    stop: () => {
      stop$.next();
      stop$.complete();
    },
  };
}
