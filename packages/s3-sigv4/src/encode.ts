import { SigV4Error } from './errors.js';

/**
 * RFC 3986 percent-encoding as SigV4 wants it: every UTF-8 byte outside `A-Z a-z 0-9 - . _ ~` becomes `%XX`
 * (uppercase hex). Space is `%20`, never `+`.
 */

// 1 for the RFC 3986 unreserved characters, 0 otherwise (ASCII only; everything above 0x7f is encoded).
const UNRESERVED = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) UNRESERVED[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) UNRESERVED[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) UNRESERVED[c] = 1;
UNRESERVED[0x2d] = 1; // -
UNRESERVED[0x2e] = 1; // .
UNRESERVED[0x5f] = 1; // _
UNRESERVED[0x7e] = 1; // ~

const SLASH = 0x2f;

/** Index of the first character that needs encoding (`/` allowed when keepSlash), or -1. */
function firstUnsafe(value: string, keepSlash: boolean): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] === 0) {
      if (keepSlash && c === SLASH) continue;
      return i;
    }
  }
  return -1;
}

// encodeURIComponent leaves these five sub-delimiters alone; RFC 3986 (and SigV4) encode them.
function fixSubDelims(encoded: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < encoded.length; i++) {
    let rep: string | undefined;
    switch (encoded.charCodeAt(i)) {
      case 0x21:
        rep = '%21';
        break;
      case 0x27:
        rep = '%27';
        break;
      case 0x28:
        rep = '%28';
        break;
      case 0x29:
        rep = '%29';
        break;
      case 0x2a:
        rep = '%2A';
        break;
    }
    if (rep !== undefined) {
      out += encoded.slice(from, i) + rep;
      from = i + 1;
    }
  }
  return from === 0 ? encoded : out + encoded.slice(from);
}

/**
 * Percent-encode; `undefined` when the string holds a lone UTF-16 surrogate (not representable in UTF-8),
 * so each caller can raise the error code that fits its input.
 */
export function tryEncode(value: string, keepSlash: boolean): string | undefined {
  if (firstUnsafe(value, keepSlash) === -1) return value; // the common case: nothing to do, no allocation
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    return undefined;
  }
  if (keepSlash) encoded = encoded.replaceAll('%2F', '/');
  return fixSubDelims(encoded);
}

function encodeOrThrow(value: string, keepSlash: boolean): string {
  if (typeof value !== 'string') {
    throw new SigV4Error('INVALID_REQUEST', 'value to encode must be a string');
  }
  const encoded = tryEncode(value, keepSlash);
  if (encoded === undefined) {
    throw new SigV4Error('INVALID_REQUEST', 'value to encode contains a lone UTF-16 surrogate');
  }
  return encoded;
}

/**
 * RFC 3986-encode a single URI component (query key or value): `/` is encoded too.
 * Throws SigV4Error `INVALID_REQUEST` when the string holds a lone UTF-16 surrogate.
 */
export function encodeRfc3986(value: string): string {
  return encodeOrThrow(value, false);
}

/**
 * Encode an S3 object key for use as a URL path: every UTF-8 byte outside `A-Za-z0-9-._~` is percent-encoded,
 * `/` is kept as the segment separator. `encodeKey('photos/a b+c.jpg')` → `'photos/a%20b%2Bc.jpg'`.
 * The result is exactly what S3's canonical request expects for the path, so it can be passed to
 * `signRequest` in the url unchanged. Throws SigV4Error `INVALID_REQUEST` when the key holds a lone UTF-16
 * surrogate.
 */
export function encodeKey(key: string): string {
  return encodeOrThrow(key, true);
}
