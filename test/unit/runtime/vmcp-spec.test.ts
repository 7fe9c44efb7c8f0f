import { expect } from 'chai';
import {
  parseVmcpSpec,
  sameBackends,
  sameVmcpSpecSettings,
} from '../../../src/runtime/vmcp-spec.js';

describe('VirtualMCPServer spec → backends and probe settings', function () {
  it('maps spec.backends, spec.probe and spec.reportInterval', function () {
    const { settings, problems } = parseVmcpSpec({
      backends: [
        { name: 'github', url: 'http://github-mcp:8080/mcp', transport: 'streamable-http' },
        { name: 'jira', url: 'https://jira-mcp/sse', transport: 'sse' },
        { name: 'plain', url: 'http://plain/mcp' },
      ],
      reportInterval: '1m',
      probe: { interval: '15s', timeout: '5s', degradedThreshold: '2s', unhealthyThreshold: 4 },
      replicas: 2,
      image: 'x',
    });
    expect(problems).to.deep.equal([]);
    expect(settings).to.deep.equal({
      backends: [
        { name: 'github', url: 'http://github-mcp:8080/mcp', transport: 'streamable-http' },
        { name: 'jira', url: 'https://jira-mcp/sse', transport: 'sse' },
        { name: 'plain', url: 'http://plain/mcp' },
      ],
      monitor: {
        probeIntervalMs: 15_000,
        probeTimeoutMs: 5_000,
        degradedThresholdMs: 2_000,
        unhealthyThreshold: 4,
      },
      reportIntervalMs: 60_000,
    });
  });

  it('an empty or missing spec: no backends and no settings', function () {
    for (const spec of [undefined, null, {}, { backends: [] }]) {
      expect(parseVmcpSpec(spec)).to.deep.equal({
        settings: { backends: [], monitor: {} },
        problems: [],
      });
    }
  });

  it('leaves out what it cannot use and names each field (a foreign or older CRD)', function () {
    const { settings, problems } = parseVmcpSpec({
      backends: [
        { name: 'ok', url: 'http://ok/mcp' },
        { name: 'ftp', url: 'ftp://x' },
        { url: 'http://nameless/mcp' },
        'not an object',
        { name: 'ok', url: 'http://again/mcp' },
        { name: 'odd', url: 'http://odd/mcp', transport: 'carrier-pigeon' },
      ],
      probe: { interval: 'soon', timeout: '0s', unhealthyThreshold: 0, degradedThreshold: '0s' },
      reportInterval: 30,
    });
    expect(settings.backends).to.deep.equal([
      { name: 'ok', url: 'http://ok/mcp' },
      { name: 'odd', url: 'http://odd/mcp' },
    ]);
    expect(settings.monitor).to.deep.equal({ degradedThresholdMs: 0 });
    expect(settings.reportIntervalMs).to.equal(undefined);
    expect(problems).to.deep.equal([
      'spec.backends[1].url: expected an http:// or https:// URL, got "ftp://x"',
      'spec.backends[2].name: expected a backend name, got nothing',
      'spec.backends[3]: expected an object with name and url',
      'spec.backends[4].name: expected a name no other backend has, got "ok"',
      'spec.backends[5].transport: expected one of auto, streamable-http, sse, got "carrier-pigeon"; using auto',
      'spec.probe.interval: expected a duration above 0 such as 30s, got "soon"',
      'spec.probe.timeout: expected a duration above 0 such as 30s, got "0s"',
      'spec.probe.unhealthyThreshold: expected an integer >= 1, got 0',
      'spec.reportInterval: expected a duration above 0 such as 30s, got 30',
    ]);
  });

  it('leaves out a backend with credentials in its URL, naming the field, never the secret', function () {
    const { settings, problems } = parseVmcpSpec({
      backends: [
        { name: 'ok', url: 'http://ok/mcp' },
        { name: 'leaky', url: 'https://bob:SECRET-PW@leaky/mcp?token=SECRET-Q' },
        { name: 'after', url: 'http://after/mcp' },
      ],
    });
    expect(settings.backends.map((b) => b.name)).to.deep.equal(['ok', 'after']);
    expect(problems).to.have.length(1);
    const [problem = ''] = problems;
    expect(problem).to.match(/^spec\.backends\[1\]\.url: expected a URL without credentials/);
    expect(problem).to.include('headers');
    expect(problem).to.not.include('SECRET').and.not.include('bob');
  });

  it('compares backend lists and settings by value', function () {
    const a = [{ name: 'a', url: 'http://a/mcp' }];
    expect(sameBackends(a, [{ name: 'a', url: 'http://a/mcp', transport: 'auto' }])).to.equal(true);
    expect(sameBackends(a, [{ name: 'a', url: 'http://a/mcp', transport: 'sse' }])).to.equal(false);
    expect(sameBackends(a, [{ name: 'b', url: 'http://a/mcp' }])).to.equal(false);
    expect(sameBackends(a, [])).to.equal(false);
    const settings = { backends: a, monitor: { probeIntervalMs: 1 } };
    expect(
      sameVmcpSpecSettings(settings, { backends: [...a], monitor: { probeIntervalMs: 1 } }),
    ).to.equal(true);
    expect(
      sameVmcpSpecSettings(settings, { backends: a, monitor: { probeIntervalMs: 2 } }),
    ).to.equal(false);
    expect(sameVmcpSpecSettings(settings, { ...settings, reportIntervalMs: 5 })).to.equal(false);
  });
});
