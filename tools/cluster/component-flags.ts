import { join } from 'node:path';
import type { ControlPlanePki } from './pki.js';

/** What kube-apiserver's flags depend on. */
export interface ApiserverSetting {
  /** The plane's folder (serving certs, the kubelet client cert). */
  readonly dir: string;
  readonly pki: ControlPlanePki;
  readonly host: string;
  readonly port: number;
  readonly etcdPort: number;
  /** The node's Service range, when the plane has a node. */
  readonly serviceCidr?: string | undefined;
}

/**
 * kube-apiserver's flags. Without a node: RBAC alone, and no ServiceAccount admission
 * (no controller would make the tokens). With one: the kubelet's own identity limited
 * by the Node authorizer and NodeRestriction.
 */
export function apiserverFlags(at: ApiserverSetting): string[] {
  const nodeFlags =
    at.serviceCidr === undefined
      ? [
          '--authorization-mode=RBAC',
          '--service-cluster-ip-range=10.0.0.0/24',
          // No controller makes default ServiceAccounts or their tokens in a bare control plane.
          '--disable-admission-plugins=ServiceAccount',
          '--endpoint-reconciler-type=none',
        ]
      : [
          // The kubelet acts as system:node:<name>: the Node authorizer and NodeRestriction limit it to its own pods.
          '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=NodeRestriction',
          `--service-cluster-ip-range=${at.serviceCidr}`,
          `--kubelet-client-certificate=${join(at.dir, 'apiserver-kubelet-client.crt')}`,
          `--kubelet-client-key=${join(at.dir, 'apiserver-kubelet-client.key')}`,
          '--kubelet-preferred-address-types=InternalIP',
        ];
  return [
    `--etcd-servers=http://127.0.0.1:${String(at.etcdPort)}`,
    `--bind-address=${at.host}`,
    `--advertise-address=${at.host}`,
    `--secure-port=${String(at.port)}`,
    `--cert-dir=${join(at.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${at.pki.servingCert}`,
    `--tls-private-key-file=${at.pki.servingKey}`,
    `--client-ca-file=${at.pki.caCert}`,
    ...nodeFlags,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${at.pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${at.pki.serviceAccountKey}`,
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    // On SIGTERM, end open watches (clients re-list elsewhere) instead of waiting for them:
    // without it one open watch holds a stopping apiserver until it is killed.
    '--shutdown-watch-termination-grace-period=1s',
    '--v=1',
  ];
}

/** What kube-controller-manager's flags depend on. */
export interface ControllerManagerSetting {
  readonly kubeconfigPath: string;
  readonly pki: ControlPlanePki;
  readonly withNode: boolean;
}

/** kube-controller-manager's flags: only the controllers the plane needs. */
export function controllerManagerFlags(at: ControllerManagerSetting): string[] {
  const controllers = [
    'garbage-collector-controller',
    'deployment-controller',
    'replicaset-controller',
    'namespace-controller',
    // With a node: pods need their namespace's default ServiceAccount and kube-root-ca.crt,
    // Services their EndpointSlices, and a gone pod its cleanup.
    ...(!at.withNode
      ? []
      : [
          'serviceaccount-controller',
          'root-ca-certificate-publisher-controller',
          'endpointslice-controller',
          'endpoints-controller',
          'pod-garbage-collector-controller',
          // Lifts the not-ready taint a node registers with, once it is Ready.
          'node-lifecycle-controller',
        ]),
  ];
  return [
    `--kubeconfig=${at.kubeconfigPath}`,
    `--controllers=${controllers.join(',')}`,
    '--leader-elect=false',
    '--secure-port=0',
    `--service-account-private-key-file=${at.pki.serviceAccountKey}`,
    `--root-ca-file=${at.pki.caCert}`,
    '--v=1',
  ];
}

/** etcd's flags: one member on loopback, no fsync (test data only). */
export function etcdFlags(dataDir: string, client: string, peer: string): string[] {
  return [
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}
