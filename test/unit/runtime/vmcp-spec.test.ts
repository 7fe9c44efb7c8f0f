import { expect } from 'chai';
import {
  parseVmcpSpec,
  sameBackends,
  sameVmcpSpecSettings,
} from '../../../src/runtime/vmcp-spec.js';

describe('VirtualMCPServer spec.config → backends and health-check settings', function () {
  it("maps spec.config in ToolHive's shape: backends, failureHandling, aggregation, timeouts", function () {
    const { settings, problems } = parseVmcpSpec({
      config: {
        backends: [
          { name: 'github', url: 'http://github-mcp:8080/mcp', transport: 'streamable-http' },
          { name: 'jira', url: 'https://jira-mcp/sse', transport: 'sse' },
          { name: 'plain', url: 'http://plain/mcp' },
        ],
        aggregation: { conflictResolution: 'prefix' },
        operational: {
          timeouts: { default: '20s' },
          failureHandling: {
            statusReportingInterval: '1m',
            healthCheckInterval: '15s',
            healthCheckTimeout: '5s',
            degradedThreshold: '2s',
            unhealthyThreshold: 4,
          },
        },
      },
      replicas: 2,
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
      aggregation: { conflictResolution: 'prefix' },
      reportIntervalMs: 60_000,
      callTimeoutMs: 20_000,
    });
  });

  it('an empty or missing spec: no backends and no settings', function () {
    for (const spec of [undefined, null, {}, { config: {} }, { config: { backends: [] } }]) {
      expect(parseVmcpSpec(spec)).to.deep.equal({
        settings: { backends: [], monitor: {}, aggregation: {} },
        problems: [],
      });
    }
  });

  it('leaves out what it cannot use and names each field (a foreign or older CRD)', function () {
    const { settings, problems } = parseVmcpSpec({
      config: {
        backends: [
          { name: 'ok', url: 'http://ok/mcp' },
          { name: 'ftp', url: 'ftp://x' },
          { url: 'http://nameless/mcp' },
          'not an object',
          { name: 'ok', url: 'http://again/mcp' },
          { name: 'odd', url: 'http://odd/mcp', transport: 'carrier-pigeon' },
        ],
        operational: {
          failureHandling: { healthCheckInterval: 'soon', unhealthyThreshold: 0 },
        },
      },
    });
    expect(settings.backends).to.deep.equal([{ name: 'ok', url: 'http://ok/mcp' }]);
    expect(settings.monitor).to.deep.equal({});
    expect(problems).to.deep.equal([
      'spec.config.operational.failureHandling.healthCheckInterval: expected a duration such as 30s, 1m30s or 500ms, got "soon"',
      'spec.config.operational.failureHandling.unhealthyThreshold: expected an integer >= 1, got "0"',
      'spec.config.backends[1].url: expected an http:// or https:// URL, got "ftp://x"',
      'spec.config.backends[2].name: expected a name (it is missing)',
      'spec.config.backends[3]: expected an object, got "not an object"',
      'spec.config.backends[4].name: expected a name no other backend has, got "ok"',
      'spec.config.backends[5].transport: expected one of auto, streamable-http, sse, got "carrier-pigeon"',
    ]);
  });

  it('leaves out a backend with credentials in its URL, naming the field, never the secret', function () {
    const { settings, problems } = parseVmcpSpec({
      config: {
        backends: [
          { name: 'ok', url: 'http://ok/mcp' },
          { name: 'leaky', url: 'https://bob:SECRET-PW@leaky/mcp?token=SECRET-Q' },
          { name: 'after', url: 'http://after/mcp' },
        ],
      },
    });
    expect(settings.backends.map((b) => b.name)).to.deep.equal(['ok', 'after']);
    expect(problems).to.have.length(1);
    const [problem = ''] = problems;
    expect(problem).to.match(
      /^spec\.config\.backends\[1\]\.url: expected a URL without credentials/,
    );
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
