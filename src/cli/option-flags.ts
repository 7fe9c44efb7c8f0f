import { ConfigError } from '../errors.js';

/**
 * The library names its options in its own words (`kubeconfigPath`); the CLI's user
 * typed a flag. Errors the library raises about an option the CLI fills from a flag
 * are shown under the flag's name.
 */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  kubeconfigPath: '--kubeconfig',
  reporter: '--reporter',
  statusLayout: '--status-layout',
  fieldManager: '--field-manager',
  apiVersion: '--api-version',
  writeLeaseDurationMs: '--write-lease-duration',
  statusRefreshMs: '--status-refresh',
  maxReportedBackends: '--max-reported-backends',
};

/** A ConfigError about a library option, renamed to the flag that set it; others as they are. */
export function asFlagError(err: ConfigError): ConfigError {
  const flag = FLAG_OF_OPTION[err.field];
  return flag === undefined ? err : new ConfigError(flag, err.expected, err.found);
}
