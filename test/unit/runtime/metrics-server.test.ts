import { expect } from 'chai';
import { parseBindAddress, serveMetrics } from '../../../src/cli/metrics-server.js';
import { ConfigError } from '../../../src/errors.js';
import { StatusMetrics } from '../../../src/runtime/metrics.js';

describe('metrics endpoint', function () {
  it('parses bind addresses the controller-runtime way', function () {
    expect(parseBindAddress('0')).to.equal(undefined);
    expect(parseBindAddress(':8080')).to.deep.equal({ host: '0.0.0.0', port: 8080 });
    expect(parseBindAddress('127.0.0.1:9090')).to.deep.equal({ host: '127.0.0.1', port: 9090 });
    expect(parseBindAddress('[::1]:9090')).to.deep.equal({ host: '::1', port: 9090 });
    expect(parseBindAddress('localhost:0')).to.deep.equal({ host: 'localhost', port: 0 });
    for (const bad of ['8080', 'host:', ':99999', 'a:b:c', ':http']) {
      expect(() => parseBindAddress(bad), bad)
        .to.throw(ConfigError)
        .with.property('field', '--metrics-bind-address');
    }
  });

  it('serves the Prometheus text format at /metrics and 404 elsewhere', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(server.url);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      expect(await response.text()).to.include('vmcp_status_reports_total{outcome="applied"} 0');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).to.equal(404);
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async function () {
    const metrics = new StatusMetrics({ defaultMetrics: false });
    const first = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      const err = await serveMetrics(metrics, { host: '127.0.0.1', port }).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'EADDRINUSE');
    } finally {
      await first.close();
    }
  });
});
