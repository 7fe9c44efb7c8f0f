import { stringify } from 'yaml';
import type { VmcpSpec } from './validate-spec.js';

/** Where the Deployment mounts the runtime's config file. */
export const RUNTIME_CONFIG_DIR = '/etc/vmcp';
/** The ConfigMap key, and the file name under {@link RUNTIME_CONFIG_DIR}. */
export const RUNTIME_CONFIG_FILE = 'config.yaml';

/**
 * The config file `vmcp-status run --config` reads (src/cli/config-file.ts), from a
 * valid spec: report interval, probe settings and backends. Deterministic, so equal
 * specs give equal ConfigMaps (and no rollout). Pure.
 */
export function runtimeConfigYaml(spec: VmcpSpec): string {
  return stringify(
    {
      interval: spec.reportInterval,
      probe: {
        interval: spec.probe.interval,
        timeout: spec.probe.timeout,
        degradedThreshold: spec.probe.degradedThreshold,
        unhealthyThreshold: spec.probe.unhealthyThreshold,
      },
      backends: spec.backends.map((b) => ({ name: b.name, url: b.url, transport: b.transport })),
    },
    { lineWidth: 0 },
  );
}
