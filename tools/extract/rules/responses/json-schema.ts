/**
 * JSON Schema from example payloads. Not a general schema inferrer: the examples are
 * OData entities, so this only needs objects, arrays and scalars, and the merge rule that
 * keeps a property required only when every example has it. An example the page marks
 * `truncated` allows properties it does not show. A closed object still allows instance
 * annotations (OData JSON: a name with `@`, `@odata.nextLink` or `width@odata.type`): a
 * service may add them anywhere, and a client ignores what it does not know.
 */

/** Instance and property annotations: names containing `@`. */
const ANNOTATIONS = { '@': {} };

export type JsonSchema = Record<string, unknown>;

function scalarType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function schemaOf(value: unknown, open: boolean): JsonSchema {
  const type = scalarType(value);
  if (type === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return {
      type: 'object',
      properties: Object.fromEntries(entries.map(([k, v]) => [k, schemaOf(v, open)])),
      required: entries.map(([k]) => k).sort(),
      ...(open ? {} : { patternProperties: ANNOTATIONS }),
      additionalProperties: open,
    };
  }
  if (type === 'array') {
    const items = (value as unknown[]).reduce<JsonSchema | undefined>((acc, item) => (acc ? mergeSchemas(acc, schemaOf(item, open)) : schemaOf(item, open)), undefined);
    return items ? { type: 'array', items } : { type: 'array' };
  }
  return { type };
}

function typesOf(schema: JsonSchema): string[] {
  const t = schema.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
}

/** The schema both examples satisfy. */
export function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  const types = [...new Set([...typesOf(a), ...typesOf(b)])];
  // integer is a subset of number
  const normalized = types.includes('number') ? types.filter((t) => t !== 'integer') : types;
  if (normalized.length === 1 && normalized[0] === 'object') {
    const pa = (a.properties ?? {}) as Record<string, JsonSchema>;
    const pb = (b.properties ?? {}) as Record<string, JsonSchema>;
    const keys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
    const properties = Object.fromEntries(
      keys.map((k) => {
        const sa = pa[k];
        const sb = pb[k];
        return [k, sa && sb ? mergeSchemas(sa, sb) : (sa ?? sb ?? {})];
      }),
    );
    const ra = new Set((a.required ?? []) as string[]);
    const required = ((b.required ?? []) as string[]).filter((k) => ra.has(k)).sort();
    const open = a.additionalProperties === true || b.additionalProperties === true;
    return { type: 'object', properties, required, ...(open ? {} : { patternProperties: ANNOTATIONS }), additionalProperties: open };
  }
  if (normalized.length === 1 && normalized[0] === 'array') {
    const ia = a.items as JsonSchema | undefined;
    const ib = b.items as JsonSchema | undefined;
    return ia && ib ? { type: 'array', items: mergeSchemas(ia, ib) } : { type: 'array', ...(ia || ib ? { items: ia ?? ib } : {}) };
  }
  return { type: normalized.length === 1 ? normalized[0] : normalized };
}
