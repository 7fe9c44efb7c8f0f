/** What a resource's requests looked like in kube-apiserver's `/metrics` at one moment. */
export interface ApiserverSample {
  /** `apiserver_request_total` of the resource, by `verb subresource code` (subresource may be empty). */
  readonly requests: ReadonlyMap<string, number>;
  /** kube-apiserver's `process_cpu_seconds_total`. */
  readonly cpuSeconds: number;
}

/** Requests of one resource between two samples. */
export interface RequestDelta {
  /** By verb, with `/status` appended for the status subresource: `APPLY/status`, `GET`. */
  readonly byVerb: Readonly<Record<string, number>>;
  /** Every request. */
  readonly total: number;
  /** Requests answered 409 Conflict. */
  readonly conflicts: number;
  /** kube-apiserver CPU seconds spent meanwhile (all of it, not only this resource's). */
  readonly cpuSeconds: number;
}

const SERIES = /^(\w+)\{([^}]*)\} (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * Reads `apiserver_request_total` for one resource (all versions, every scope) and
 * `process_cpu_seconds_total` from the Prometheus text exposition of kube-apiserver.
 */
export function parseApiserverMetrics(
  text: string,
  resource: { readonly group: string; readonly resource: string },
): ApiserverSample {
  const requests = new Map<string, number>();
  let cpuSeconds = Number.NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('process_cpu_seconds_total ')) {
      cpuSeconds = Number(line.slice('process_cpu_seconds_total '.length));
      continue;
    }
    if (!line.startsWith('apiserver_request_total{')) continue;
    const match = SERIES.exec(line);
    if (match === null) continue;
    const labels = new Map<string, string>();
    for (const [, name = '', value = ''] of (match[2] ?? '').matchAll(LABEL)) {
      labels.set(name, value);
    }
    if (labels.get('group') !== resource.group || labels.get('resource') !== resource.resource) {
      continue;
    }
    const key = `${labels.get('verb') ?? ''} ${labels.get('subresource') ?? ''} ${labels.get('code') ?? ''}`;
    requests.set(key, (requests.get(key) ?? 0) + Number(match[3]));
  }
  if (Number.isNaN(cpuSeconds)) {
    throw new Error('kube-apiserver /metrics: process_cpu_seconds_total is missing');
  }
  return { requests, cpuSeconds };
}

/** What happened between two samples of the same resource. */
export function requestDelta(before: ApiserverSample, after: ApiserverSample): RequestDelta {
  const byVerb: Record<string, number> = {};
  let total = 0;
  let conflicts = 0;
  for (const [key, count] of after.requests) {
    const delta = count - (before.requests.get(key) ?? 0);
    if (delta === 0) continue;
    const [verb = '', subresource = '', code = ''] = key.split(' ');
    const name = subresource === '' ? verb : `${verb}/${subresource}`;
    byVerb[name] = (byVerb[name] ?? 0) + delta;
    total += delta;
    if (code === '409') conflicts += delta;
  }
  return { byVerb, total, conflicts, cpuSeconds: after.cpuSeconds - before.cpuSeconds };
}
