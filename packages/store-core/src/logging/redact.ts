/**
 * Removes credentials from anything about to be logged: values under secret-sounding keys, the user-info of
 * URLs (`s3://KEY:SECRET@bucket`), signatures and credentials in query strings (presigned URLs, `?token=`), and
 * `Authorization`-style headers. Errors become `{ type, code, message, details }` with the same treatment (never
 * their `cause`, which may be a provider's raw answer). Bounded: depth 6, 100 keys per object, strings 4 KiB.
 */

const SECRET_KEY =
  /secret|password|passwd|token|access[-_]?key|authorization|credential|signature|session|cookie|api[-_]?key|private/i;
/** A URL with user-info: scheme://user[:pass]@… */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;
/** Query parameters that carry a credential (SigV4 presigning, common token names). */
const SECRET_PARAM =
  /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId|token|access_token|sig|key)=)[^&#\s"']*/gi;
/** `Bearer xyz`, `AWS4-HMAC-SHA256 Credential=…, Signature=…` in free text. */
const AUTH_VALUE = /\b(Bearer|Basic|AWS4-HMAC-SHA256)\s+[^\s"',]+(?:,\s*[A-Za-z]+=[^\s"',]+)*/g;

export const REDACTED = '[redacted]';
const MAX_DEPTH = 6;
const MAX_KEYS = 100;
const MAX_STRING = 4096;

/** `text` with URL credentials, secret query values and authorization values replaced. */
export function redactText(text: string): string {
  const short = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  return short
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(AUTH_VALUE, `$1 ${REDACTED}`);
}

/** A copy of `value` safe to log (see the module comment); the input is never changed. */
export function redactSecrets(value: unknown): unknown {
  return redact(value, 0, new WeakSet());
}

function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof URL) return redactText(value.href);
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, depth, seen);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((item) => redact(item, depth + 1, seen));
  // toJSON first: objects that know how to show themselves safely (S3 clients, configs) say so there.
  const source = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? safeToJSON(value) : value;
  if (source !== value) return redact(source, depth, seen);
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, item] of Object.entries(value)) {
    if (count++ >= MAX_KEYS) break;
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}

function redactError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: redactText(err.message) };
  const { code, details } = err as { code?: unknown; details?: unknown };
  if (code !== undefined) out.code = code;
  if (details !== undefined) out.details = redact(details, depth + 1, seen);
  if (err.stack) out.stack = redactText(err.stack);
  return out;
}

function safeToJSON(value: object): unknown {
  try {
    return (value as { toJSON: () => unknown }).toJSON();
  } catch {
    return '[unserializable]';
  }
}
