import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
} from '@kubernetes/client-node';
import { statusSchemaOf, type OpenApiDocument, type SchemaNode } from './status-schema.js';

/** What reading a CRD's published status schema found. */
export type SchemaReading =
  /** The kind's status schema. */
  | { readonly kind: 'found'; readonly status: SchemaNode }
  /**
   * No schema to go by: the apiserver serves no OpenAPI v3 for the group version
   * (404: OpenAPI v3 off, or not published yet), the document lacks the kind, or the
   * identity may not read it (401/403). Not worth retrying before a write says so.
   */
  | { readonly kind: 'unpublished'; readonly reason: string }
  /** No answer, or 5xx/429: worth another try before the next write. */
  | { readonly kind: 'failed'; readonly reason: string };

/** How long one read of the document may take. */
const READ_TIMEOUT_MS = 10_000;

/**
 * Reads the OpenAPI v3 document of `group/version` from the apiserver
 * (`GET /openapi/v3/apis/GROUP/VERSION`; every authenticated user may, through the
 * `system:discovery` ClusterRole, so it needs no RBAC of its own) and picks the
 * status schema of `kind` from it. Never throws.
 */
export async function readStatusSchema(
  kubeConfig: KubeConfig,
  gvk: { readonly group: string; readonly version: string; readonly kind: string },
): Promise<SchemaReading> {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) return { kind: 'failed', reason: 'no current cluster in the kubeconfig' };
  const path = `/openapi/v3/apis/${encodeURIComponent(gvk.group)}/${encodeURIComponent(gvk.version)}`;
  try {
    const request = new RequestContext(
      `${cluster.server.replace(/\/+$/, '')}${path}`,
      HttpMethod.GET,
    );
    request.setHeaderParam('Accept', 'application/json');
    request.setSignal(AbortSignal.timeout(READ_TIMEOUT_MS));
    // The same credentials and TLS settings as every other call of this kubeconfig.
    await kubeConfig.applySecurityAuthentication(request);
    const response = await new IsomorphicFetchHttpLibrary().send(request).toPromise();
    const code = response.httpStatusCode;
    const text = await response.body.text();
    if (code === 404 || code === 401 || code === 403) {
      return { kind: 'unpublished', reason: `GET ${path}: HTTP ${String(code)}` };
    }
    if (code < 200 || code >= 300) {
      return { kind: 'failed', reason: `GET ${path}: HTTP ${String(code)}` };
    }
    const status = statusSchemaOf(JSON.parse(text) as OpenApiDocument, gvk);
    if (status === undefined) {
      return { kind: 'unpublished', reason: `GET ${path}: no ${gvk.kind} in the document` };
    }
    return { kind: 'found', status };
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    const what =
      err instanceof SyntaxError ? 'not JSON' : typeof code === 'string' ? code : 'no answer';
    return { kind: 'failed', reason: `GET ${path}: ${what}` };
  }
}
