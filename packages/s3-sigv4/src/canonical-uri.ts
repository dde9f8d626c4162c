import { tryEncode } from './encode.js';
import { SigV4Error } from './errors.js';

/**
 * Resolve `.`/`..` and drop empty segments, keeping a trailing `/` (the SigV4 rule for non-S3 services).
 * `/a//b/./c/../` → `/a/b/`.
 */
export function normalizePathSegments(path: string): string {
  const out: string[] = [];
  let start = 0;
  // Walk segments by index instead of split(): no intermediate array for the common short path.
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const segment = path.slice(start, end);
    if (segment === '..') out.pop();
    else if (segment !== '' && segment !== '.') out.push(segment);
    start = end + 1;
  }
  if (out.length === 0) return '/';
  const joined = `/${out.join('/')}`;
  return path.endsWith('/') ? `${joined}/` : joined;
}

/**
 * The canonical URI of a raw url path. For S3 (both flags false) the path is used as given: the caller encoded
 * the key once (see `encodeKey`). Other services normalise, then percent-encode every segment again, so an
 * already-encoded `%3A` is signed as `%253A` — what AWS expects.
 */
export function canonicalUri(path: string, uriEscapePath: boolean, normalizePath: boolean): string {
  if (path.length === 0) path = '/';
  if (normalizePath) path = normalizePathSegments(path);
  if (!uriEscapePath) return path;
  const encoded = tryEncode(path, true);
  if (encoded === undefined) throw new SigV4Error('INVALID_URL', 'invalid url: path contains a lone surrogate');
  return encoded;
}
