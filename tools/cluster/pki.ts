import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the files a test control plane needs for TLS, client auth and service-account tokens. */
export interface ControlPlanePki {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  /** Client certificate of `admin` in group `system:masters`. */
  readonly adminCert: string;
  readonly adminKey: string;
  /** Signs and verifies service-account tokens (TokenRequest API). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

/** A client certificate and its key. */
export interface ClientCert {
  readonly cert: string;
  readonly key: string;
}

/** Certificates of the node's components, each its own identity (see {@link generateNodePki}). */
export interface NodePki {
  /** `system:node:<node>` in `system:nodes`: what the Node authorizer and NodeRestriction expect. */
  readonly kubelet: ClientCert;
  /** The kubelet's serving certificate for its own address. */
  readonly kubeletServing: ClientCert;
  /** `system:kube-proxy` (bound to `system:node-proxier` by the default RBAC). */
  readonly kubeProxy: ClientCert;
  /** `system:kube-scheduler` (default RBAC). */
  readonly scheduler: ClientCert;
  /** `system:kube-controller-manager` (default RBAC). */
  readonly controllerManager: ClientCert;
  /** `vmcp:coredns`, bound by the node to a ClusterRole that reads Services and EndpointSlices. */
  readonly coredns: ClientCert;
  /** The apiserver's client certificate towards kubelets (logs, exec). */
  readonly apiserverKubeletClient: ClientCert;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `openssl ${args[0] ?? ''} failed (openssl must be on PATH): ${stderr || String(err)}`,
      { cause: err },
    );
  }
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

const clientExt = 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n';
const serverExt = (sans: readonly string[]): string =>
  `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`;

/** Makes `name.key` and `name.crt` in `dir`, signed by the CA there. */
function sign(dir: string, name: string, subject: string, ext: string): ClientCert {
  openssl(dir, [
    'req',
    ...ecKey,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '365',
    '-extfile',
    `${name}.ext`,
  ]);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/**
 * A CA, a serving cert for the apiserver's addresses (127.0.0.1/localhost, plus
 * `serverIps`: the node-facing address and the `kubernetes` Service IP), an admin
 * client cert and a service-account key pair, in `dir`.
 */
export function generatePki(dir: string, serverIps: readonly string[] = []): ControlPlanePki {
  const p = (name: string): string => join(dir, name);
  openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '365',
    '-subj',
    '/CN=vmcp-status-test-ca',
  ]);

  const sans = [
    'IP:127.0.0.1',
    ...serverIps.map((ip) => `IP:${ip}`),
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ];
  sign(dir, 'apiserver', '/CN=kube-apiserver', serverExt(sans));
  sign(dir, 'admin', '/O=system:masters/CN=admin', clientExt);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(p('sa.key'), privateKey, { mode: 0o600 });
  writeFileSync(p('sa.pub'), publicKey);

  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
}

/** The node components' identities, signed by the control plane's CA in `dir`. */
export function generateNodePki(dir: string, nodeName: string, nodeIp: string): NodePki {
  return {
    kubelet: sign(dir, 'kubelet', `/O=system:nodes/CN=system:node:${nodeName}`, clientExt),
    kubeletServing: sign(
      dir,
      'kubelet-serving',
      `/CN=${nodeName}`,
      serverExt([`IP:${nodeIp}`, `DNS:${nodeName}`]),
    ),
    kubeProxy: sign(dir, 'kube-proxy', '/CN=system:kube-proxy', clientExt),
    scheduler: sign(dir, 'kube-scheduler', '/CN=system:kube-scheduler', clientExt),
    controllerManager: sign(
      dir,
      'kube-controller-manager',
      '/CN=system:kube-controller-manager',
      clientExt,
    ),
    coredns: sign(dir, 'coredns', '/CN=vmcp:coredns', clientExt),
    apiserverKubeletClient: sign(
      dir,
      'apiserver-kubelet-client',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
      clientExt,
    ),
  };
}
