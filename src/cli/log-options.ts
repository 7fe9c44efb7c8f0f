import { Option } from 'commander';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat } from '../logger.js';

/** The log flags every long-running command takes. */
export interface LogFlags {
  readonly logLevel?: (typeof LOG_LEVELS)[number];
  readonly logFormat: LogFormat;
}

/** `--log-level` (and `LOG_LEVEL`). */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log level (default: info)')
    .choices(LOG_LEVELS)
    .env('LOG_LEVEL');
}

/** `--log-format` (and `LOG_FORMAT`): JSON lines for machines, one line of text for people. */
export function logFormatOption(): Option {
  return new Option(
    '--log-format <format>',
    'json: JSON lines; pretty: one line of text per change or summary; auto: pretty on a terminal, else json',
  )
    .choices(LOG_FORMATS)
    .env('LOG_FORMAT')
    .default('auto');
}
