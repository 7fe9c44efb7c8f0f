/**
 * The serving benchmark's vMCP, in a process of its own: a VmcpServer in front of
 * BACKEND_URL, names passing through (`priority` with the one backend listed), status
 * reporting as `vmcp-status run` wires it (log reporter, silent). Prints its URL.
 */
import { of } from 'rxjs';
import { pino } from 'pino';
import { LogReporter } from '../../src/apply/log-reporter.js';
import { clientProber } from '../../src/runtime/client-prober.js';
import { startStatusReporting } from '../../src/runtime/start-status-reporting.js';
import { VmcpServer } from '../../src/server/vmcp-server.js';

const backends = [{ name: 'echo', url: process.env.BACKEND_URL ?? '' }];
const server = await VmcpServer.start({
  backends,
  aggregation: {
    conflictResolution: 'priority',
    conflictResolutionConfig: { priorityOrder: ['echo'] },
  },
  port: 0,
  maxSessions: 10_000,
});
startStatusReporting({
  backends$: of(backends),
  reporter: new LogReporter({ logger: pino({ level: 'silent' }) }),
  health: server.health,
  served$: server.served$,
  monitor: { createProber: (b) => clientProber(server.backendClient(b.name)) },
});
console.log(server.url);
