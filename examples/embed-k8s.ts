// Reporting into a VirtualMCPServer from outside a pod: the factory with the object's
// name and namespace, the Kubernetes reporter chosen explicitly, a kubeconfig to
// authenticate. Run it against a cluster that has the CRD and the object:
//
//   KUBECONFIG=~/.kube/config npx tsx examples/embed-k8s.ts NAME NAMESPACE
//
// It reports one backend healthy with 4 tools, then stops (which flushes the write).
import { BehaviorSubject, Subject } from 'rxjs';
import {
  createReporter,
  reportStatus,
  runtimeStatusStream,
  type BackendHealthEvent,
} from 'vmcp-status';

const [name = 'demo', namespace = 'default'] = process.argv.slice(2);
const { reporter, mode } = await createReporter({
  name,
  namespace,
  reporter: 'k8s', // in a pod, `auto` (the default) would choose it
  kubeconfigPath: process.env.KUBECONFIG,
});
console.log(`reporting into ${mode.mode === 'k8s' ? `${mode.namespace}/${mode.name}` : mode.mode}`);

const checks$ = new Subject<BackendHealthEvent>();
const configured$ = new BehaviorSubject<readonly string[]>(['github']);
await reporter.start(30_000); // reads the object and the CRD's schema, then watches for drift
const done = reportStatus(runtimeStatusStream(checks$, configured$), reporter);
checks$.next({
  name: 'github',
  status: 'healthy',
  toolCount: 4,
  consecutiveFailures: 0,
  checkedAt: new Date(),
});
checks$.complete();
configured$.complete();
await done; // the status was applied (server-side apply, field manager vmcp-runtime)
await reporter.stop();
