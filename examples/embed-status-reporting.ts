// Embedding startStatusReporting: it probes MCP backends and reports the vMCP's status
// in the background, and hands back the status stream and a stop() that flushes.
// Run with `npx tsx examples/embed-status-reporting.ts` (about 8 s). Outside this
// repository, import from 'vmcp-status'.
import { BehaviorSubject } from 'rxjs';
import { createReporter, startStatusReporting, type BackendConfig } from '../src/index.js';
// A real MCP server on loopback to watch (internal: the demo and the tests use it).
import { startScriptedMcpServer } from '../src/demo/scripted-mcp-server.js';

const github = await startScriptedMcpServer({ name: 'github', tools: 12 });

// The backends; push a new list to add, change or remove backends at run time.
const backends$ = new BehaviorSubject<readonly BackendConfig[]>([
  { name: 'github', url: github.url },
]);
// `auto` would pick Kubernetes mode in a pod with VMCP_NAME and VMCP_NAMESPACE set.
const { reporter } = createReporter({ reporter: 'log' });

const reporting = startStatusReporting({
  backends$,
  reporter,
  reportIntervalMs: 2_000, // detail changes at most once per 2 s; also the probe interval
  monitor: { probeIntervalMs: 500, unhealthyThreshold: 2 },
});
reporting.status$.subscribe((status) => {
  console.log(`phase ${status.phase}: ${status.message}`);
});

// A second backend that refuses connections: unknown, then unhealthy after 2 probes.
backends$.next([...backends$.value, { name: 'jira', url: 'http://127.0.0.1:9/mcp' }]);

const stop = async (): Promise<void> => {
  await reporting.stop(); // reports the pending status, then stops the reporter
  await github.close();
};
process.once('SIGTERM', () => void stop());
setTimeout(() => void stop(), 6_000);
await reporting.done; // resolves after stop(); rejects if reporting failed
