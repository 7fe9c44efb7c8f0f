import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ControlPlanePki } from './pki.js';

/** A folder laid out like a pod's service-account mount, and the env a pod would have. */
export interface InPodFolder {
  /** Pass as `KubeConfig.loadFromCluster(pathPrefix)`. */
  readonly pathPrefix: string;
  /** Holds `token`, `ca.crt` and `namespace`. */
  readonly serviceAccountDir: string;
  readonly env: {
    readonly KUBERNETES_SERVICE_HOST: string;
    readonly KUBERNETES_SERVICE_PORT: string;
  };
}

/** Where a control plane answers, and what it trusts. */
export interface PlaneAddress {
  readonly server: string;
  readonly pki: ControlPlanePki;
  /** A folder for in-pod folders. */
  readonly dir: string;
  readonly host: string;
  readonly port: number;
}

/**
 * The identities tests and tools act as on a control plane: the admin (client
 * certificate, `system:masters`) and ServiceAccounts (TokenRequest tokens, so RBAC
 * applies as it does to a pod).
 */
export class PlaneIdentities {
  readonly #at: PlaneAddress;

  constructor(at: PlaneAddress) {
    this.#at = at;
  }

  /** A KubeConfig acting as `admin` (group `system:masters`). */
  admin(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'vmcp-test',
          server: this.#at.server,
          caFile: this.#at.pki.caCert,
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'admin', certFile: this.#at.pki.adminCert, keyFile: this.#at.pki.adminKey }],
      contexts: [{ name: 'admin', cluster: 'vmcp-test', user: 'admin', namespace: 'default' }],
      currentContext: 'admin',
    });
    return kc;
  }

  /** Mints a token for `namespace/name` with the TokenRequest API, creating the ServiceAccount if needed. */
  async serviceAccountToken(
    namespace: string,
    name: string,
    expirationSeconds = 3600,
  ): Promise<string> {
    const core = this.admin().makeApiClient(CoreV1Api);
    try {
      await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    const response = await core.createNamespacedServiceAccountToken({
      namespace,
      name,
      body: { spec: { audiences: [], expirationSeconds } },
    });
    const token = response.status?.token;
    if (token === undefined)
      throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
    return token;
  }

  /** A KubeConfig acting as ServiceAccount `namespace/name` (RBAC applies). */
  async serviceAccount(namespace: string, name: string): Promise<KubeConfig> {
    const token = await this.serviceAccountToken(namespace, name);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'vmcp-test',
          server: this.#at.server,
          caFile: this.#at.pki.caCert,
          skipTLSVerify: false,
        },
      ],
      users: [{ name: `${namespace}-${name}`, token }],
      contexts: [{ name: 'sa', cluster: 'vmcp-test', user: `${namespace}-${name}`, namespace }],
      currentContext: 'sa',
    });
    return kc;
  }

  /** A folder with `token`, `ca.crt` and `namespace` as a pod of ServiceAccount `namespace/name` would have. */
  async inPodFolder(namespace: string, name: string): Promise<InPodFolder> {
    const token = await this.serviceAccountToken(namespace, name);
    const pathPrefix = mkdtempSync(join(this.#at.dir, 'pod-'));
    const serviceAccountDir = join(pathPrefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(serviceAccountDir, { recursive: true });
    writeFileSync(join(serviceAccountDir, 'token'), token, { mode: 0o600 });
    writeFileSync(join(serviceAccountDir, 'ca.crt'), readFileSync(this.#at.pki.caCert));
    writeFileSync(join(serviceAccountDir, 'namespace'), namespace);
    return {
      pathPrefix,
      serviceAccountDir,
      env: {
        KUBERNETES_SERVICE_HOST: this.#at.host,
        KUBERNETES_SERVICE_PORT: String(this.#at.port),
      },
    };
  }
}
