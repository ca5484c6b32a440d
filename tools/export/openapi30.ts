/**
 * The same documents as OpenAPI 3.0.3, for the tools that read no 3.1 (Dredd, older code
 * generators and validators): `export openapi --openapi 3.0 --out DIR`. The committed
 * documents stay 3.1; this is a rewrite of them, keyword by keyword, and says where 3.0
 * cannot say as much:
 *
 * - `const: v` is `enum: [v]` (the same constraint);
 * - `$comment` is `x-comment`;
 * - a `$ref` with sibling keywords (3.0 ignores siblings) is `allOf: [{$ref}]` beside them;
 * - `patternProperties` has no 3.0 form: the schema admits any other property
 *   (`additionalProperties: true`) and keeps the patterns in `x-pattern-properties`, with
 *   `x-openapi-3.0-loss` saying so.
 *
 * Payloads (`example`, `examples`) and vendor extensions are data, never rewritten.
 */
type Json = Record<string, unknown>;

export const OPENAPI_30_VERSION = '3.0.3';

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const isData = (key: string) => key === 'example' || key === 'examples' || key.startsWith('x-');

function rewrite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewrite);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (isData(key)) {
      out[key] = child;
      continue;
    }
    switch (key) {
      case 'const':
        out.enum = [child];
        break;
      case '$comment':
        out['x-comment'] = child;
        break;
      case 'patternProperties':
        out['x-pattern-properties'] = child;
        out['x-openapi-3.0-loss'] = 'OpenAPI 3.0 has no patternProperties: other properties are admitted here, the 3.1 document admits only those matching x-pattern-properties';
        break;
      default:
        out[key] = rewrite(child);
    }
  }
  if ('x-pattern-properties' in out && out.additionalProperties === false) out.additionalProperties = true;
  const siblings = Object.keys(out).filter((k) => k !== '$ref' && !k.startsWith('x-'));
  if (typeof out.$ref === 'string' && siblings.length) {
    const { $ref, ...rest } = out;
    return { allOf: [{ $ref }], ...rest };
  }
  return out;
}

/** A 3.1 document of the export as OpenAPI 3.0.3. */
export function toOpenApi30(document: Json): Json {
  const out = rewrite(document) as Json;
  out.openapi = OPENAPI_30_VERSION;
  return out;
}
