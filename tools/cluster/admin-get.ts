import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import type { ControlPlanePki } from './pki.js';

/** A GET's answer: the status code and the body as text. */
export interface AdminGetResult {
  readonly statusCode: number;
  readonly body: string;
}

/**
 * One HTTPS GET to kube-apiserver as admin, with the plane's CA and client
 * certificate: for `/readyz` and `/metrics`, which client-node has no call for.
 */
export function adminGet(
  at: { readonly host: string; readonly port: number; readonly pki: ControlPlanePki },
  path: string,
  timeoutMs: number,
): Promise<AdminGetResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: at.host,
        port: at.port,
        path,
        method: 'GET',
        ca: readFileSync(at.pki.caCert),
        cert: readFileSync(at.pki.adminCert),
        key: readFileSync(at.pki.adminKey),
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ statusCode: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${String(timeoutMs)} ms`)));
    req.on('error', reject);
    req.end();
  });
}
