import { Option } from 'commander';
import { parseCount } from '../validate.js';

/** `--host`: where the vMCP serves MCP (ToolHive's vmcp default, 127.0.0.1; the operator passes 0.0.0.0). */
export function hostOption(): Option {
  return new Option('--host <address>', 'address the vMCP serves MCP on (0.0.0.0: every interface)')
    .env('VMCP_HOST')
    .default('127.0.0.1');
}

/** `--port`: ToolHive's 4483 by default; 0 picks a free port (logged). */
export function portOption(): Option {
  return new Option('--port <port>', 'port the vMCP serves MCP on, at /mcp (0: any free port)')
    .env('VMCP_PORT')
    .default('4483');
}

/** `--allowed-host`, repeatable: host names a client's Host header may name (DNS-rebinding protection). */
export function allowedHostOption(): Option {
  return new Option(
    '--allowed-host <name>',
    'a host name clients may reach the endpoint by (repeat it); default: the loopback names when bound to loopback, any otherwise',
  ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

/** The flags above, read. */
export interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly allowedHost?: string[];
}

/** `--port` as a number. */
export function servePort(flags: ServeFlags): number {
  return parseCount('--port', flags.port, { min: 0, max: 65_535 });
}
