import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import {
  detectReporterMode,
  type ReporterChoice,
  type ReporterEnvironment,
} from '../../../src/factory/detect-reporter-mode.js';

const named = { VMCP_NAME: 'my-vmcp', VMCP_NAMESPACE: 'tools' };
const inCluster = { KUBERNETES_SERVICE_HOST: '10.96.0.1' };

function environment(
  env: Record<string, string | undefined>,
  serviceAccountTokenPresent = false,
): ReporterEnvironment {
  return { env, serviceAccountTokenPresent };
}

/** The ConfigError `fn` throws; fails the test when it throws nothing or something else. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('expected a ConfigError');
}

describe('detectReporterMode', () => {
  describe('an explicit choice', () => {
    it('wins over a Kubernetes environment', () => {
      const env = environment({ ...named, ...inCluster }, true);
      expect(detectReporterMode(env, 'log')).to.deep.equal({
        mode: 'log',
        reason: "reporter: 'log'",
      });
      expect(detectReporterMode(env, 'noop')).to.deep.equal({
        mode: 'noop',
        reason: "reporter: 'noop'",
      });
    });

    it('wins over VMCP_STATUS_REPORTER', () => {
      const env = environment({ VMCP_STATUS_REPORTER: 'log' });
      expect(detectReporterMode(env, 'noop').mode).to.equal('noop');
    });

    it('comes from VMCP_STATUS_REPORTER when the argument is absent or auto', () => {
      const env = environment({ ...named, ...inCluster, VMCP_STATUS_REPORTER: 'noop' }, true);
      expect(detectReporterMode(env)).to.deep.equal({
        mode: 'noop',
        reason: 'VMCP_STATUS_REPORTER=noop',
      });
      expect(detectReporterMode(env, 'auto').mode).to.equal('noop');
    });

    it('k8s works outside a pod, with the name and namespace from the environment', () => {
      expect(detectReporterMode(environment(named), 'k8s')).to.deep.equal({
        mode: 'k8s',
        name: 'my-vmcp',
        namespace: 'tools',
        reason: "reporter: 'k8s'",
      });
      expect(
        detectReporterMode(environment({ ...named, VMCP_STATUS_REPORTER: 'k8s' })).reason,
      ).to.equal('VMCP_STATUS_REPORTER=k8s');
    });

    it('k8s without a name or namespace is a ConfigError naming the variable', () => {
      expect(
        configErrorOf(() => detectReporterMode(environment({ VMCP_NAMESPACE: 'tools' }), 'k8s'))
          .field,
      ).to.equal('VMCP_NAME');
      expect(
        configErrorOf(() => detectReporterMode(environment({ VMCP_NAME: 'my-vmcp' }), 'k8s')).field,
      ).to.equal('VMCP_NAMESPACE');
    });

    it('an unknown VMCP_STATUS_REPORTER is a ConfigError naming it', () => {
      const err = configErrorOf(() =>
        detectReporterMode(environment({ VMCP_STATUS_REPORTER: 'kubernetes' })),
      );
      expect(err.field).to.equal('VMCP_STATUS_REPORTER');
      expect(err.message).to.include('"kubernetes"');
    });

    it('an unknown argument is a ConfigError', () => {
      const err = configErrorOf(() =>
        detectReporterMode(environment({}), 'syslog' as ReporterChoice),
      );
      expect(err.field).to.equal('reporter');
    });

    it('an empty VMCP_STATUS_REPORTER means auto', () => {
      expect(detectReporterMode(environment({ VMCP_STATUS_REPORTER: '' })).mode).to.equal('log');
    });
  });

  describe('detection', () => {
    it('is Kubernetes mode with name, namespace and reason when both are set and a token is mounted', () => {
      expect(detectReporterMode(environment(named, true))).to.deep.equal({
        mode: 'k8s',
        name: 'my-vmcp',
        namespace: 'tools',
        reason: 'VMCP_NAME and VMCP_NAMESPACE are set and the process runs in a pod',
      });
    });

    it('is Kubernetes mode when both are set and KUBERNETES_SERVICE_HOST is set', () => {
      expect(detectReporterMode(environment({ ...named, ...inCluster })).mode).to.equal('k8s');
    });

    it('is log mode outside a pod, saying why', () => {
      const mode = detectReporterMode(environment({ ...named, KUBERNETES_SERVICE_HOST: '' }));
      expect(mode.mode).to.equal('log');
      expect(mode.reason).to.match(/^not running in a pod/);
    });

    it('is log mode in a pod when a variable is missing, naming it', () => {
      expect(
        detectReporterMode(environment({ VMCP_NAMESPACE: 'tools', ...inCluster }, true)),
      ).to.deep.equal({ mode: 'log', reason: 'VMCP_NAME not set: reporting status to the log' });
      expect(detectReporterMode(environment({ VMCP_NAME: 'my-vmcp' }, true)).reason).to.equal(
        'VMCP_NAMESPACE not set: reporting status to the log',
      );
      expect(
        detectReporterMode(environment({ VMCP_NAME: '', VMCP_NAMESPACE: '' }, true)).reason,
      ).to.equal('VMCP_NAME and VMCP_NAMESPACE not set: reporting status to the log');
    });

    it('accepts a dotted name (a DNS-1123 subdomain) and the longest valid names', () => {
      const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
      expect(name).to.have.length(253);
      const namespace = 'n'.repeat(63);
      const mode = detectReporterMode(
        environment({ VMCP_NAME: name, VMCP_NAMESPACE: namespace }, true),
      );
      expect(mode).to.include({ mode: 'k8s', name, namespace });
    });

    const invalid: Array<[string, Record<string, string>]> = [
      ['VMCP_NAME', { VMCP_NAME: 'My_VMCP', VMCP_NAMESPACE: 'tools' }],
      ['VMCP_NAME', { VMCP_NAME: '-leading-dash', VMCP_NAMESPACE: 'tools' }],
      ['VMCP_NAME', { VMCP_NAME: 'x'.repeat(254), VMCP_NAMESPACE: 'tools' }],
      ['VMCP_NAMESPACE', { VMCP_NAME: 'my-vmcp', VMCP_NAMESPACE: 'team.tools' }],
      ['VMCP_NAMESPACE', { VMCP_NAME: 'my-vmcp', VMCP_NAMESPACE: 'Tools' }],
      ['VMCP_NAMESPACE', { VMCP_NAME: 'my-vmcp', VMCP_NAMESPACE: 'n'.repeat(64) }],
    ];
    for (const [variable, env] of invalid) {
      const shown = Object.values(env).map((v) =>
        v.length > 20 ? `${v.slice(0, 8)}…(${v.length})` : v,
      );
      it(`rejects ${shown.join(' / ')} in a pod with a ConfigError naming ${variable}`, () => {
        const err = configErrorOf(() => detectReporterMode(environment(env, true)));
        expect(err.field).to.equal(variable);
        expect(err.reason).to.equal('InvalidConfig');
        expect(err.message).to.match(new RegExp(`^${variable}: expected a DNS-1123`));
      });
    }
  });
});
