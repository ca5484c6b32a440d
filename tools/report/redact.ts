/**
 * The report's own redaction pass. The harness already redacts `Authorization`, but the
 * report is what leaves the machine (CI artifacts, job summaries), so it does not trust
 * any earlier step: every header, body, URL and message goes through here once more.
 */

export const REDACTED = '[redacted]';

/** Headers whose whole value is a credential. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-ms-client-secret',
  'x-api-key',
  'api-key',
]);

/** Keys (JSON properties, form fields, query parameters) whose value is a credential. */
const SECRET_KEYS = [
  'client_secret',
  'clientsecret',
  'access_token',
  'accesstoken',
  'refresh_token',
  'refreshtoken',
  'id_token',
  'idtoken',
  'password',
  'client_assertion',
  'authorization',
  'cookie',
  'set-cookie',
];
const normalizeKey = (key: string) => key.toLowerCase().replace(/-/g, '_');
const SECRET_KEY_SET = new Set(SECRET_KEYS.map(normalizeKey));

const keyAlternation = SECRET_KEYS.map((k) => k.replace(/[-_]/g, '[-_]?')).join('|');
/** Fields that hold a credential in form bodies, query strings and prose (`password=...`). */
const FIELD_KEYS = 'client[-_]?secret|access[-_]?token|refresh[-_]?token|id[-_]?token|password|client[-_]?assertion';

const TEXT_RULES: [RegExp, string][] = [
  // "access_token": "..." inside JSON text, including escaped quotes in the value.
  [new RegExp(`("(?:${keyAlternation})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  // A header line, in a raw request or an error message: the value runs to the end of the line.
  [/\b((?:proxy-)?authorization|set-cookie|cookie)(\s*:\s*)(?!\s*\[redacted\])[^\r\n"]+/gi, `$1$2${REDACTED}`],
  // Form bodies, query strings, `key: value` in prose.
  [new RegExp(`(?<![A-Za-z0-9])(${FIELD_KEYS})(\\s*[=:]\\s*)(?!\\s*\\[redacted\\])[^\\s&"',;)}\\]]+`, 'gi'), `$1$2${REDACTED}`],
  [/\b(Bearer|Basic)\s+(?!\s*\[redacted\])[A-Za-z0-9\-._~+/]+=*/g, `$1 ${REDACTED}`],
  // JWT-looking strings (header.payload[.signature]); `eyJ` is base64url of `{"`.
  [/eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}/g, REDACTED],
];

export interface RedactionOptions {
  /** Literal values to remove wherever they appear (e.g. a client secret from the environment). */
  knownSecrets?: readonly string[];
}

export function redactText(text: string, options: RedactionOptions = {}): string {
  let out = text;
  for (const secret of options.knownSecrets ?? []) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of TEXT_RULES) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

/**
 * Deep redaction of JSON-like values: secret keys and secret headers lose their value,
 * every other string goes through `redactText`. Returns a copy; never mutates.
 */
export function redactValue<V>(value: V, options: RedactionOptions = {}): V {
  return redactAny(value, options, 0) as V;
}

function redactAny(value: unknown, options: RedactionOptions, depth: number): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (value === null || typeof value !== 'object') return value;
  // Attachments are small; a cycle or absurd depth means something is wrong, not secret-free.
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactAny(item, options, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const normalized = normalizeKey(key);
    if ((SECRET_KEY_SET.has(normalized) || SECRET_HEADERS.has(key.toLowerCase())) && item !== null && item !== undefined && item !== '') {
      out[key] = Array.isArray(item) ? item.map(() => REDACTED) : REDACTED;
    } else {
      out[key] = redactAny(item, options, depth + 1);
    }
  }
  return out;
}

/**
 * Values of environment variables that name a credential (the tenant target's client
 * secret, a token given in the environment), so they can be removed literally even
 * where no pattern would recognise them.
 */
export function secretsFromEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  const secretName = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY/i;
  return Object.entries(env)
    // A URL or a path under a secret-sounding name (a token endpoint, an audience) is not a secret.
    .filter(([name, value]) => secretName.test(name) && typeof value === 'string' && value.length >= 6 && !/^(https?:\/\/|\/)/.test(value))
    .map(([, value]) => value!);
}
