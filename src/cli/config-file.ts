import { readFile } from 'node:fs/promises';
import { YAMLParseError, parse as parseYaml } from 'yaml';
import { parseVmcpConfig, type VmcpConfig } from '../config/parse-vmcp-config.js';
import { ConfigError } from '../errors.js';

/**
 * What `vmcp-status run --config FILE` reads: ToolHive's `spec.config` shape (see
 * `parseVmcpConfig`), with durations in ms, and the notes to warn about (earlier
 * releases' keys, ToolHive's keys that are not used).
 */
export interface RunConfig extends VmcpConfig {
  readonly notes: readonly string[];
}

/** Invalid config file: every problem found, each naming its field. The CLI exits 2. */
export class ConfigFileError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigError[],
  ) {
    const [first] = problems;
    super(first?.field ?? file, first?.expected ?? 'a valid config file', first?.found);
    this.message = `${file}: ${problems.map((p) => p.message).join('; ')}`;
  }
}

/**
 * Reads and validates a YAML config file. `${VAR}` in a header value is replaced by
 * the environment variable, so tokens stay out of the file.
 *
 * @throws ConfigFileError naming every bad field, e.g. `backends[1].url: expected an
 *   http:// or https:// URL, got "ftp://x"`; header values are never echoed.
 */
export async function loadConfigFile(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('--config', `a readable file (${code})`, file);
  }
  return parseConfig(text, file, env);
}

/** Validates config text; see {@link loadConfigFile}. */
export function parseConfig(
  text: string,
  file = 'config',
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunConfig {
  let document: unknown;
  try {
    document = parseYaml(text) as unknown;
  } catch (err) {
    throw new ConfigFileError(file, [yamlProblem(err)]);
  }
  if (
    document !== null &&
    document !== undefined &&
    (typeof document !== 'object' || Array.isArray(document))
  ) {
    throw new ConfigFileError(file, [
      new ConfigError(
        '(top level)',
        'a YAML mapping of settings (backends, aggregation, operational, …)',
      ),
    ]);
  }
  const { config, problems, notes } = parseVmcpConfig(document, { allowHeaders: true, env });
  if (problems.length > 0) throw new ConfigFileError(file, problems);
  return { ...config, notes };
}

/**
 * A YAML syntax error as a problem at `line L, column C`, with the parser's reason
 * (its code frame, which quotes the file, left out: a header line may hold a token).
 */
function yamlProblem(err: unknown): ConfigError {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  const where = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
  const reason = message.replace(/ at line \d+, column \d+:?$/, '').slice(0, 200);
  return new ConfigError(
    where === undefined ? '(YAML)' : `line ${String(where.line)}, column ${String(where.col)}`,
    `valid YAML (${reason})`,
  );
}
