import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

/** RFC 5424 severities, least severe first, as MCP's `logging/setLevel` orders them. */
const ORDER: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/**
 * Whether a backend's log line reaches a client that asked for `wanted` (`undefined`:
 * it never asked, so it gets every line, as from a server it talks to directly).
 */
export function shouldForwardLog(level: LoggingLevel, wanted: LoggingLevel | undefined): boolean {
  return wanted === undefined || ORDER.indexOf(level) >= ORDER.indexOf(wanted);
}
