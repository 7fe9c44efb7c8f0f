/** The runtime pods' image when the operator is given none (`--runtime-image`): this release's. */
export const DEFAULT_RUNTIME_IMAGE = 'ghcr.io/vmcp-status/vmcp-status:0.1.0';
