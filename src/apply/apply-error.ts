import { ApiException } from '@kubernetes/client-node';

/** What the reporter does about a failed apply. */
export type ApplyFailure =
  /** 429, 5xx, 409 or no answer: retry with backoff; the log carries status meanwhile. */
  | {
      readonly kind: 'retriable';
      readonly code?: number | undefined;
      readonly retryAfterMs?: number | undefined;
      readonly summary: string;
    }
  /**
   * 404: the object is gone; apply again when the watch sees it back. `resourceMissing`:
   * the apiserver does not serve the resource at all (the CRD is not installed).
   */
  | { readonly kind: 'not-found'; readonly resourceMissing: boolean; readonly summary: string }
  /** 403: RBAC refuses. */
  /** 403: RBAC refuses, or an admission policy (`byPolicy`) denies the write. */
  | { readonly kind: 'forbidden'; readonly byPolicy: boolean; readonly summary: string }
  /** Strict field validation failed: the CRD does not know these status fields (500 on the SSA path, 400 elsewhere). */
  | {
      readonly kind: 'unknown-fields';
      readonly fields: readonly string[];
      readonly summary: string;
    }
  /** 422 or another 4xx: the schema rejects a value; retrying the same status cannot help. */
  | {
      readonly kind: 'invalid';
      readonly code: number;
      readonly causes: readonly string[];
      readonly summary: string;
    };

interface KubeStatusBody {
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    causes?: Array<{ field?: string; message?: string; reason?: string }>;
  };
}

function parseBody(body: unknown): KubeStatusBody {
  if (typeof body === 'object' && body !== null) return body;
  if (typeof body !== 'string') return {};
  try {
    return JSON.parse(body) as KubeStatusBody;
  } catch {
    return { message: body.slice(0, 500) };
  }
}

/**
 * Status field paths the apiserver's strict validation named as unknown, normalized to
 * the form {@link withoutStatusFields} takes: `totalToolCount`,
 * `discoveredBackends[].toolCount`.
 */
export function unknownStatusFields(text: string): string[] {
  const fields = new Set<string>();
  // ".status.discoveredBackends[name=\"a\"].toolCount: field not declared in schema"
  // and 'unknown field "status.totalToolCount"' both occur, depending on the path taken.
  const patterns = [
    /\.?status\.([\w.[\]="\-:/]+?): field not declared in schema/g,
    /unknown field "status\.([\w.[\]="\-:/]+)"/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const path = match[1];
      if (path !== undefined) fields.add(path.replace(/\[[^\]]*\]/g, '[]'));
    }
  }
  return [...fields].sort();
}

/** The seconds of a `Retry-After` header as milliseconds, when it holds a number. */
function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Sorts a failed apply into what the reporter should do. Pure. */
export function classifyApplyError(err: unknown): ApplyFailure {
  if (!(err instanceof ApiException)) {
    if ((err as { name?: unknown } | undefined)?.name === 'TimeoutError') {
      return { kind: 'retriable', summary: 'apiserver unreachable (no answer in time)' };
    }
    const code =
      (err as { code?: unknown; cause?: { code?: unknown } } | undefined)?.cause?.code ??
      (err as { code?: unknown } | undefined)?.code;
    return {
      kind: 'retriable',
      summary: `apiserver unreachable${typeof code === 'string' ? ` (${code})` : ''}`,
    };
  }
  const code = err.code;
  const body = parseBody(err.body);
  const message = body.message ?? '';
  if (code === 404) {
    // A missing object's 404 names it in `details`; a resource the server does not
    // serve (no CRD) answers "the server could not find the requested resource" without.
    const resourceMissing = body.details?.name === undefined;
    return {
      kind: 'not-found',
      resourceMissing,
      summary: resourceMissing
        ? 'the VirtualMCPServer resource is not served (404: is the CRD installed?)'
        : 'VirtualMCPServer not found (404)',
    };
  }
  if (code === 403) {
    // The ownership policy (manifests/admission) also answers 403; its message says so.
    const byPolicy = /ValidatingAdmissionPolicy|admission webhook/.test(message);
    return { kind: 'forbidden', byPolicy, summary: message || 'forbidden (403)' };
  }
  // Strict validation of an apply names unknown fields; the apiserver answers 500 for
  // it on the SSA path (seen on v1.37), 400 elsewhere: the message decides, not the code.
  const unknown = unknownStatusFields(message);
  if ((code === 400 || code === 500) && unknown.length > 0) {
    return { kind: 'unknown-fields', fields: unknown, summary: message };
  }
  if (code === 429 || code === 409 || code >= 500) {
    return {
      kind: 'retriable',
      code,
      retryAfterMs: retryAfterMs(err.headers),
      summary: `HTTP ${String(code)} ${body.reason ?? ''}`.trim(),
    };
  }
  const causes = (body.details?.causes ?? []).map(
    (c) => `${c.field ?? '?'}: ${c.message ?? c.reason ?? ''}`,
  );
  return {
    kind: 'invalid',
    code,
    causes: causes.length > 0 ? causes : [message],
    summary: message,
  };
}
