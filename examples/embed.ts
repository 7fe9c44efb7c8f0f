// Embedding the observable API: a vMCP feeds its health checks in, and the status it
// reports comes out paced, deduplicated and one write at a time.
// Run with `npx tsx examples/embed.ts`; status lines go to stderr.
import { BehaviorSubject, Subject } from 'rxjs';
import {
  LogReporter,
  reportStatus,
  runtimeStatusStream,
  type BackendHealthEvent,
} from 'vmcp-status/log';

// Your health monitor pushes one event per probe of a backend.
const checks$ = new Subject<BackendHealthEvent>();
// The configured backend names; push a new list when backends are added or removed.
const configured$ = new BehaviorSubject<readonly string[]>(['github', 'jira']);

const reporter = new LogReporter();
const stop = new AbortController();
process.once('SIGTERM', () => {
  stop.abort();
});

const status$ = runtimeStatusStream(checks$, configured$, { reportIntervalMs: 30_000 });
await reporter.start(30_000); // a summary line every 30 s
const done = reportStatus(status$, reporter, {
  signal: stop.signal, // abort: the pending status is still reported, then `done` resolves
  onError: (err) => {
    console.error('status report failed', err);
  },
});

checks$.next({
  name: 'github',
  status: 'healthy',
  toolCount: 12,
  consecutiveFailures: 0,
  checkedAt: new Date(),
});
checks$.next({
  name: 'jira',
  status: 'unhealthy',
  toolCount: 0,
  consecutiveFailures: 3,
  errorCategory: 'timeout',
  checkedAt: new Date(),
});

// Completing the inputs (or aborting) sends the last pending status and ends reporting.
checks$.complete();
configured$.complete();
await done;
await reporter.stop();
