// The whole chain in one call: startStatusReporting probes MCP backends and reports the
// vMCP's status in the background, and hands back the status stream and a stop() that
// flushes. Run with `npx tsx examples/embed-status-reporting.ts` (about 6 s).
import { BehaviorSubject } from 'rxjs';
import { createReporter, startStatusReporting, type BackendConfig } from 'vmcp-status';
import { startTinyBackend } from './tiny-mcp-backend.js';

// A real MCP server on loopback to watch.
const github = await startTinyBackend('github', ['search', 'fetch']);

// The backends; push a new list to add, change or remove backends at run time.
const backends$ = new BehaviorSubject<readonly BackendConfig[]>([
  { name: 'github', url: github.url },
]);
// `auto` would pick Kubernetes mode in a pod with VMCP_NAME and VMCP_NAMESPACE set.
const { reporter } = await createReporter({ reporter: 'log' });

const reporting = startStatusReporting({
  backends$,
  reporter,
  reportIntervalMs: 2_000, // detail changes at most once per 2 s; phase changes at once
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
setTimeout(() => void stop(), 5_000);
await reporting.done; // resolves after stop(); rejects if reporting failed
