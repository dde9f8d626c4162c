import { tryEncode } from './encode.js';
import { SigV4Error } from './errors.js';

function decode(raw: string): string {
  if (!raw.includes('%')) return raw; // fast path; note `+` is a literal plus (RFC 3986), not a space
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new SigV4Error('INVALID_URL', 'invalid url: malformed percent-encoding in the query');
  }
}

function encode(value: string): string {
  const encoded = tryEncode(value, false);
  if (encoded === undefined) throw new SigV4Error('INVALID_URL', 'invalid url: query contains a lone surrogate');
  return encoded;
}

function byKeyThenValue(a: [string, string], b: [string, string]): number {
  // Encoded strings are ASCII, so UTF-16 comparison is the byte order SigV4 asks for.
  if (a[0] < b[0]) return -1;
  if (a[0] > b[0]) return 1;
  if (a[1] < b[1]) return -1;
  return a[1] > b[1] ? 1 : 0;
}

/**
 * The canonical query string: split the raw query on `&` and the first `=`, decode, RFC 3986-encode, sort by key
 * then value; `key` without `=` becomes `key=`. `extra` holds already-decoded pairs (the presign X-Amz-* params).
 */
export function canonicalQuery(rawQuery: string, extra?: ReadonlyArray<readonly [string, string]>): string {
  if (rawQuery.length === 0 && (extra === undefined || extra.length === 0)) return '';
  const pairs: [string, string][] = [];
  let start = 0;
  while (start < rawQuery.length) {
    let end = rawQuery.indexOf('&', start);
    if (end === -1) end = rawQuery.length;
    if (end > start) {
      const eq = rawQuery.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      const key = encode(decode(rawQuery.slice(start, hasValue ? eq : end)));
      const value = hasValue ? encode(decode(rawQuery.slice(eq + 1, end))) : '';
      pairs.push([key, value]);
    }
    start = end + 1;
  }
  if (extra !== undefined) for (const [k, v] of extra) pairs.push([encode(k), encode(v)]);
  if (pairs.length > 1) pairs.sort(byKeyThenValue);
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    out += i === 0 ? `${pair[0]}=${pair[1]}` : `&${pair[0]}=${pair[1]}`;
  }
  return out;
}
