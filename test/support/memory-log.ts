import type { LevelWithSilent } from 'pino';
import { createLogger, type Logger } from '../../src/logger.js';

/** One parsed pino line. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** pino's numeric levels, for assertions on {@link LogLine.level}. */
export const LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/**
 * A real pino logger writing JSON lines into memory instead of stdout. `onWrite`
 * runs for each line as it is written (e.g. to note the virtual time).
 */
export function memoryLogger(
  level: LevelWithSilent = 'info',
  onWrite?: (line: LogLine) => void,
): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(chunk: string) {
        raw.push(chunk);
        const line = JSON.parse(chunk) as LogLine;
        lines.push(line);
        onWrite?.(line);
      },
    },
  });
  return { logger, lines, raw };
}
