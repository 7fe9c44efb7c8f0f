import type { KubernetesObject } from '@kubernetes/client-node';

/** What the operator remembers of a VirtualMCPServer it saw, to judge the next event. */
export interface ObservedVersion {
  readonly uid: string | undefined;
  readonly generation: number | undefined;
  readonly deleting: boolean;
}

/** The parts of an object that {@link specChanged} compares. */
export function observedVersion(object: KubernetesObject): ObservedVersion {
  return {
    uid: object.metadata?.uid,
    generation: object.metadata?.generation,
    deleting: object.metadata?.deletionTimestamp != null,
  };
}

/**
 * Whether an update of a VirtualMCPServer calls for a reconcile, like
 * controller-runtime's `GenerationChangedPredicate`: only when `metadata.generation`
 * moved (the apiserver bumps it for spec changes only), the object was replaced (new
 * uid), deletion began, or it was never seen. A status write (the runtime's or the
 * operator's own) or a managedFields-only change keeps the generation, so it never
 * wakes the operator. Pure.
 */
export function specChanged(
  previous: ObservedVersion | undefined,
  current: ObservedVersion,
): boolean {
  if (previous === undefined) return true;
  return (
    previous.uid !== current.uid ||
    previous.generation !== current.generation ||
    previous.deleting !== current.deleting
  );
}

/** The VirtualMCPServer that controls `object` (its `controller: true` owner), if any. */
export function controllerOwner(
  object: KubernetesObject,
  group: string,
  kind: string,
): { readonly namespace: string; readonly name: string } | undefined {
  const owner = object.metadata?.ownerReferences?.find(
    (ref) => ref.controller === true && ref.kind === kind && ref.apiVersion.split('/')[0] === group,
  );
  if (owner === undefined) return undefined;
  return { namespace: object.metadata?.namespace ?? '', name: owner.name };
}
