/**
 * The status schema a CRD publishes (OpenAPI v3), reduced to what the reporter needs:
 * which fields exist, so that it never sends one the apiserver would reject. Pure.
 */

/** The parts of an OpenAPI v3 schema object read here. */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly allOf?: readonly SchemaNode[];
  readonly $ref?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-group-version-kind'?: ReadonlyArray<{
    readonly group?: string;
    readonly version?: string;
    readonly kind?: string;
  }>;
}

/** An OpenAPI v3 document as `/openapi/v3/apis/GROUP/VERSION` serves it. */
export interface OpenApiDocument {
  readonly components?: { readonly schemas?: Readonly<Record<string, SchemaNode>> };
}

/** Deepest `$ref`/`allOf` nesting followed; CRD schemas are inline, so this is slack. */
const MAX_DEPTH = 64;

/**
 * The schema of `status` of the kind `group/version, Kind=kind` in `document`, with
 * `$ref` and `allOf` resolved; `undefined` when the document does not hold the kind.
 * A kind without a `status` property gets `{}` (an object that holds nothing).
 */
export function statusSchemaOf(
  document: OpenApiDocument,
  gvk: { readonly group: string; readonly version: string; readonly kind: string },
): SchemaNode | undefined {
  const schemas = document.components?.schemas ?? {};
  const kind = Object.values(schemas).find((schema) =>
    (schema['x-kubernetes-group-version-kind'] ?? []).some(
      (k) => k.group === gvk.group && k.version === gvk.version && k.kind === gvk.kind,
    ),
  );
  if (kind === undefined) return undefined;
  const status = resolve(kind, schemas, 0).properties?.status;
  return status === undefined ? { type: 'object', properties: {} } : inline(status, schemas, 0);
}

/** Whether a status schema has the `runtime` sub-object of ToolHive's layout. */
export function schemaHasRuntime(status: SchemaNode): boolean {
  return status.properties?.runtime !== undefined;
}

/**
 * Every field of `value` (a status or part of one) that `schema` does not declare,
 * as paths in the form the reporter drops them: `totalToolCount`,
 * `runtime.discoveredBackends[].toolCount`. Sorted. Pure.
 */
export function fieldsNotInSchema(value: unknown, schema: SchemaNode): string[] {
  const found = new Set<string>();
  walk(value, schema, '', found);
  return [...found].sort();
}

function walk(value: unknown, schema: SchemaNode, path: string, found: Set<string>): void {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    if (schema.items !== undefined) {
      for (const item of value) walk(item, schema.items, `${path}[]`, found);
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const declared = schema.properties?.[key];
    if (declared !== undefined) {
      walk(child, declared, childPath, found);
    } else if (typeof schema.additionalProperties === 'object') {
      walk(child, schema.additionalProperties, childPath, found);
    } else if (schema.additionalProperties !== true) {
      // Structural schemas prune what they do not declare; Strict validation rejects it.
      found.add(childPath);
    }
  }
}

function resolve(
  node: SchemaNode,
  schemas: Readonly<Record<string, SchemaNode>>,
  depth: number,
): SchemaNode {
  if (depth > MAX_DEPTH) return node;
  let current = node;
  if (current.$ref !== undefined) {
    const target = schemas[current.$ref.replace(/^#\/components\/schemas\//, '')];
    const { $ref: _ref, ...rest } = current;
    current = { ...(target === undefined ? {} : resolve(target, schemas, depth + 1)), ...rest };
  }
  if (current.allOf !== undefined) {
    const { allOf, ...rest } = current;
    // Kubernetes publishes `allOf: [{ $ref }]` beside a description: merge the parts.
    current = allOf.reduce<SchemaNode>((merged, part) => {
      const resolved = resolve(part, schemas, depth + 1);
      return {
        ...merged,
        ...resolved,
        properties: { ...merged.properties, ...resolved.properties },
      };
    }, rest);
  }
  return current;
}

/** `node` with every `$ref`/`allOf` below it resolved, so walking it needs no document. */
function inline(
  node: SchemaNode,
  schemas: Readonly<Record<string, SchemaNode>>,
  depth: number,
): SchemaNode {
  const resolved = resolve(node, schemas, depth);
  if (depth > MAX_DEPTH) return resolved;
  const out: Record<string, unknown> = { ...resolved };
  if (resolved.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(resolved.properties).map(([k, v]) => [k, inline(v, schemas, depth + 1)]),
    );
  }
  if (resolved.items !== undefined) out.items = inline(resolved.items, schemas, depth + 1);
  if (typeof resolved.additionalProperties === 'object') {
    out.additionalProperties = inline(resolved.additionalProperties, schemas, depth + 1);
  }
  return out;
}
