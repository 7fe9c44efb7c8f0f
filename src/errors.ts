/**
 * The project's typed errors. Each carries a machine-readable `reason` so callers
 * branch on it instead of parsing messages, and wraps what caused it as `cause`.
 */
export class VmcpStatusError extends Error {
  constructor(
    message: string,
    /** Machine-readable, PascalCase. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Bad input: a setting, an environment variable, a config file or an option. The
 * message names the field and what was expected. The CLI exits 2 on it.
 */
export class ConfigError extends VmcpStatusError {
  constructor(
    /** The field, variable or flag at fault, e.g. `VMCP_NAME` or `backends[1].url`. */
    readonly field: string,
    /** What was expected, e.g. `a DNS-1123 label`. */
    readonly expected: string,
    /** What was found, when showing it is safe. */
    readonly found?: string,
  ) {
    super(
      `${field}: expected ${expected}${found === undefined ? '' : `, got ${JSON.stringify(found)}`}`,
      'InvalidConfig',
    );
  }
}
