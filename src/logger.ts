import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { ConfigError } from './errors.js';
import { humanLogLine } from './human-log-line.js';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Defaults to `LOG_LEVEL` from the environment, else `info`. */
  readonly level?: LevelWithSilent | undefined;
  /**
   * `json`: JSON lines; `pretty`: one line of text per record ({@link humanLogLine});
   * `auto`: pretty when stdout is a TTY, else JSON. Defaults to `LOG_FORMAT`, else `auto`.
   */
  readonly format?: LogFormat | undefined;
  /**
   * Where lines go: a stream, or a file descriptor (1 stdout, 2 stderr). Defaults to 1
   * (the CLI); an embedded reporter's default logger uses 2, leaving stdout to a stdio
   * MCP server.
   */
  readonly destination?: DestinationStream | 1 | 2 | undefined;
  /** Whether the destination is a terminal, for `auto` and colours. Defaults to that of fd 1 or 2 (stdout for a stream). */
  readonly isTTY?: boolean | undefined;
}

/** How log lines look: see {@link LoggerOptions.format}. */
export type LogFormat = 'auto' | 'json' | 'pretty';
/** Every {@link LogFormat}, for validating `--log-format` and `LOG_FORMAT`. */
export const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/**
 * Anything that might hold a credential, wherever it sits in a log object. Backend
 * configs and errors pass through logs; their secrets must not.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'headers.authorization',
  'password',
  '*.password',
  'bearerToken',
  '*.bearerToken',
  'config.users[*].user.token',
];

/** Levels pino knows, for validating `--log-level` and `LOG_LEVEL`. */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/**
 * The project's pino logger: credentials redacted, JSON lines for machines or one line
 * of text per record for people (see {@link LoggerOptions.format}).
 *
 * @throws ConfigError for a format (option or `LOG_FORMAT`) it does not know.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? levelFromEnv(process.env.LOG_LEVEL) ?? 'info';
  const base = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  const target = options.destination ?? 1;
  const isTTY = options.isTTY ?? (target === 2 ? process.stderr : process.stdout).isTTY;
  const format = resolveLogFormat(options.format ?? (process.env.LOG_FORMAT || 'auto'), isTTY);
  const destination =
    typeof target === 'number' ? pino.destination({ dest: target, sync: true }) : target;
  return pino(base, format === 'json' ? destination : humanStream(destination, isTTY));
}

/** `auto` resolved against the terminal. Pure. */
export function resolveLogFormat(format: string, isTTY: boolean): 'json' | 'pretty' {
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError('--log-format', `one of ${LOG_FORMATS.join(', ')}`, format);
  }
  if (format === 'auto') return isTTY ? 'pretty' : 'json';
  return format as 'json' | 'pretty';
}

/** pino writes JSON lines; this writes each as {@link humanLogLine} in the same call. */
function humanStream(out: DestinationStream, color: boolean): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        out.write(`${humanLogLine(JSON.parse(line) as Record<string, unknown>, { color })}\n`);
      }
    },
  };
}

/** `LOG_LEVEL`, checked: pino would throw an unhelpful error for an unknown level. */
function levelFromEnv(value: string | undefined): LevelWithSilent | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, value);
  }
  return value as LevelWithSilent;
}
