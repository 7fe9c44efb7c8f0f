import { ConfigError } from '../errors.js';

/** The VirtualMCPServer API every part of vmcp-status reads and writes. */
export const DEFAULT_API_VERSION = 'vmcp-status.dev/v1beta1';
export const VMCP_KIND = 'VirtualMCPServer';
export const VMCP_PLURAL = 'virtualmcpservers';

/** Where a (possibly configured) VirtualMCPServer apiVersion lives on the apiserver. */
export interface VmcpResource {
  readonly apiVersion: string;
  readonly group: string;
  readonly version: string;
  readonly plural: typeof VMCP_PLURAL;
}

/**
 * Splits a VirtualMCPServer apiVersion (default {@link DEFAULT_API_VERSION}) into group
 * and version.
 *
 * @throws ConfigError naming `apiVersion` when it is not GROUP/VERSION.
 */
export function vmcpResource(apiVersion: string = DEFAULT_API_VERSION): VmcpResource {
  const [group = '', version = '', ...rest] = apiVersion.split('/');
  if (group === '' || version === '' || rest.length > 0) {
    throw new ConfigError('apiVersion', 'GROUP/VERSION', apiVersion);
  }
  return { apiVersion, group, version, plural: VMCP_PLURAL };
}

/** One VirtualMCPServer as a namespaced custom object: where it lives, and its name. */
export interface VmcpObjectRef extends VmcpResource {
  readonly namespace: string;
  readonly name: string;
}

/** {@link vmcpResource} of `ref.apiVersion`, with `ref`'s namespace and name. */
export function vmcpObjectRef(ref: {
  readonly apiVersion?: string | undefined;
  readonly namespace: string;
  readonly name: string;
}): VmcpObjectRef {
  return { ...vmcpResource(ref.apiVersion), namespace: ref.namespace, name: ref.name };
}

/**
 * What to say when the apiserver does not serve the resource at all (a 404 for the
 * resource, not for one object): the CRD to install, and how.
 */
export function crdMissingMessage(group: string, plural: string = VMCP_PLURAL): string {
  const crd = `${plural}.${group}`;
  const how =
    group === vmcpResource().group
      ? 'kubectl apply --server-side -f manifests/crd/'
      : `the CustomResourceDefinition that serves ${crd}`;
  return `the CustomResourceDefinition ${crd} is not installed on this apiserver: install it (${how})`;
}
