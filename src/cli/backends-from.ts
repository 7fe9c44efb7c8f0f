/**
 * Where `run` takes its backends from: `spec` (the VirtualMCPServer's `spec.config.backends`,
 * watched; Kubernetes mode only), `config` (the config file), or `auto`: the spec in
 * Kubernetes mode when the config file lists no backends (or there is none), else
 * the file.
 */
export type BackendsFrom = 'auto' | 'spec' | 'config';
export const BACKENDS_FROM: readonly BackendsFrom[] = ['auto', 'spec', 'config'];
