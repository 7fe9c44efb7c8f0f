import { expect } from 'chai';
import { parseApiserverMetrics, requestDelta } from '../../../bench/apiserver-metrics.js';

const series = (verb: string, subresource: string, code: string, group: string, n: number) =>
  `apiserver_request_total{code="${code}",component="apiserver",dry_run="",group="${group}",resource="virtualmcpservers",scope="resource",subresource="${subresource}",verb="${verb}",version="v1beta1"} ${String(n)}`;

const text = (cpu: number, lines: string[]) =>
  [
    '# HELP apiserver_request_total Counter',
    ...lines,
    `process_cpu_seconds_total ${String(cpu)}`,
    '',
  ].join('\n');

describe('bench/apiserver-metrics', () => {
  const resource = { group: 'vmcp-status.dev', resource: 'virtualmcpservers' };

  it('counts one resource by verb and subresource, conflicts apart, CPU as a difference', () => {
    const before = parseApiserverMetrics(
      text(10, [
        series('PUT', 'status', '200', resource.group, 5),
        series('GET', '', '200', resource.group, 7),
      ]),
      resource,
    );
    const after = parseApiserverMetrics(
      text(12.5, [
        series('PUT', 'status', '200', resource.group, 8),
        series('PUT', 'status', '409', resource.group, 2),
        series('GET', '', '200', resource.group, 7),
        series('APPLY', 'status', '201', 'other.group', 100),
      ]),
      resource,
    );
    const delta = requestDelta(before, after);
    expect(delta.byVerb).to.deep.equal({ 'PUT/status': 5 });
    expect(delta.total).to.equal(5);
    expect(delta.conflicts).to.equal(2);
    expect(delta.cpuSeconds).to.equal(2.5);
  });

  it('fails loudly when the apiserver exposes no CPU counter', () => {
    expect(() =>
      parseApiserverMetrics(series('GET', '', '200', resource.group, 1), resource),
    ).to.throw(/process_cpu_seconds_total/);
  });
});
