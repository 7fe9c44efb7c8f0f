import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { classifyApplyError, type ApplyFailure } from '../apply/apply-error.js';
import { VmcpStatusError } from '../errors.js';
import type { ChildKind, ChildKindApi } from './child-kinds.js';

/**
 * What one child apply did: `created`, `configured` (the server changed it),
 * `unchanged` (sent, and the server found nothing to change: no new resourceVersion)
 * or `skipped` (not sent: the cache holds the object exactly as last applied).
 */
export type ChildApplyAction = 'created' | 'configured' | 'unchanged' | 'skipped';

export const CHILD_APPLY_ACTIONS: readonly ChildApplyAction[] = [
  'created',
  'configured',
  'unchanged',
  'skipped',
];

/** One applied child. */
export interface ChildApplyResult {
  readonly kind: ChildKind;
  readonly name: string;
  readonly action: ChildApplyAction;
  /** The object as the server returned it, or the cached one when skipped. */
  readonly object: KubernetesObject;
}

/** A child the apiserver refused; names it as `Kind/namespace/name`. */
export class ChildApplyError extends VmcpStatusError {
  constructor(
    /** `Deployment/team-a/demo-vmcp`. */
    readonly subject: string,
    readonly failure: ApplyFailure,
    options?: ErrorOptions,
  ) {
    super(`apply ${subject}: ${failure.summary}`, 'ChildApplyFailed', options);
  }

  /** HTTP status, when the apiserver answered. */
  get code(): number | undefined {
    return 'code' in this.failure ? this.failure.code : undefined;
  }
}

/** Options of {@link ChildApplier}. */
export interface ChildApplierOptions {
  readonly apis: ReadonlyMap<ChildKind, ChildKindApi>;
  /** The SSA field manager. */
  readonly fieldManager: string;
  /** Called after each apply, with the action or `failed`. */
  readonly onApply?: (kind: ChildKind, action: ChildApplyAction | 'failed') => void;
}

/**
 * Server-side applies children with the operator's field manager, forcing ownership.
 * An apply equal to the server's state changes nothing there (no new
 * resourceVersion); on top of that, an object the cache shows exactly as this
 * applier last left it, with the same desired body, is not sent at all, so a resync
 * or a Deployment status update costs no request. "Exactly" means the same
 * `generation` for a Deployment (its status moves on its own) and the same
 * resourceVersion for the others, and the same labels, annotations and owners.
 */
export class ChildApplier {
  readonly #applied = new Map<string, { body: string; fingerprint: string }>();

  constructor(private readonly options: ChildApplierOptions) {}

  /** Applies `desired`; `cached` is the informer's copy (or undefined when it has none). */
  async apply(
    desired: KubernetesObject,
    cached: KubernetesObject | undefined,
  ): Promise<ChildApplyResult> {
    const kind = desired.kind as ChildKind;
    const api = this.options.apis.get(kind);
    const name = desired.metadata?.name ?? '';
    const namespace = desired.metadata?.namespace ?? '';
    const key = `${kind}/${namespace}/${name}`;
    if (api === undefined) throw new Error(`no API for kind ${kind}`);
    const body = digest(desired);
    const memo = this.#applied.get(key);
    if (
      cached !== undefined &&
      memo !== undefined &&
      memo.body === body &&
      memo.fingerprint === fingerprint(kind, cached)
    ) {
      this.options.onApply?.(kind, 'skipped');
      return { kind, name, action: 'skipped', object: cached };
    }
    let object: KubernetesObject;
    try {
      object = await api.apply(desired, this.options.fieldManager);
    } catch (err) {
      this.#applied.delete(key);
      this.options.onApply?.(kind, 'failed');
      throw new ChildApplyError(key, classifyApplyError(err), { cause: err });
    }
    this.#applied.set(key, { body, fingerprint: fingerprint(kind, object) });
    const action: ChildApplyAction =
      cached === undefined
        ? 'created'
        : cached.metadata?.resourceVersion === object.metadata?.resourceVersion
          ? 'unchanged'
          : 'configured';
    this.options.onApply?.(kind, action);
    return { kind, name, action, object };
  }

  /** Drops what it remembers of the children in `namespace` named `name` (their owner is gone). */
  forget(namespace: string, name: string): void {
    for (const key of this.#applied.keys()) {
      if (key.endsWith(`/${namespace}/${name}`)) this.#applied.delete(key);
    }
  }
}

function fingerprint(kind: ChildKind, object: KubernetesObject): string {
  const meta = object.metadata ?? {};
  return canonicalJson([
    kind === 'Deployment' ? meta.generation : meta.resourceVersion,
    meta.uid,
    meta.labels ?? {},
    meta.annotations ?? {},
    meta.ownerReferences ?? [],
  ]);
}

function digest(object: KubernetesObject): string {
  return createHash('sha256').update(canonicalJson(object)).digest('hex');
}

/**
 * JSON with object keys sorted: the watch's objects and client-node's typed models
 * order keys differently. Dates become RFC 3339 strings, undefined is dropped.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}
