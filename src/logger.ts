import { ConfigError } from './errors.js';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Defaults to `LOG_LEVEL` from the environment, else `info`. */
  readonly level?: LevelWithSilent | undefined;
  /** Human-readable output. Defaults to true only when stdout is a TTY. */
  readonly pretty?: boolean | undefined;
  /** Where lines go; defaults to stdout. Tests pass a stream. */
  readonly destination?: DestinationStream | undefined;
}

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

/** The project's pino logger: JSON lines, credentials redacted, pretty only on a TTY. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? levelFromEnv(process.env.LOG_LEVEL) ?? 'info';
  const base = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (options.destination !== undefined) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stdout.isTTY;
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss' },
      },
    });
  }
  return pino(base);
}

/** `LOG_LEVEL`, checked: pino would throw an unhelpful error for an unknown level. */
function levelFromEnv(value: string | undefined): LevelWithSilent | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, value);
  }
  return value as LevelWithSilent;
}
