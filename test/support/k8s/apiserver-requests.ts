import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
} from '@kubernetes/client-node';

/** Which requests to count: `apiserver_request_total` labels. */
export interface RequestMatch {
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** `APPLY`, `PATCH`, `UPDATE`, `GET`, … */
  readonly verb: string;
}

/**
 * How many requests the apiserver itself counted (`apiserver_request_total` on
 * `/metrics`, read as admin), by HTTP code: the ground truth of what a client sent and
 * what it was answered, whatever the client says about itself.
 */
export async function apiserverRequests(
  admin: KubeConfig,
  match: RequestMatch,
): Promise<Map<string, number>> {
  const server = admin.getCurrentCluster()?.server ?? '';
  const request = new RequestContext(`${server}/metrics`, HttpMethod.GET);
  await admin.applySecurityAuthentication(request);
  const response = await new IsomorphicFetchHttpLibrary().send(request).toPromise();
  if (response.httpStatusCode !== 200)
    throw new Error(`GET /metrics answered ${String(response.httpStatusCode)}`);
  const counts = new Map<string, number>();
  for (const line of (await response.body.text()).split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    if (
      labels.group !== match.group ||
      labels.resource !== match.resource ||
      (labels.subresource ?? '') !== (match.subresource ?? '') ||
      labels.verb !== match.verb
    )
      continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const code = labels.code ?? '';
    counts.set(code, (counts.get(code) ?? 0) + value);
  }
  return counts;
}

/** The counts of `after` minus those of `before`, codes with no change left out. */
export function requestsBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [code, count] of after) {
    const d = count - (before.get(code) ?? 0);
    if (d !== 0) delta[code] = d;
  }
  return delta;
}
