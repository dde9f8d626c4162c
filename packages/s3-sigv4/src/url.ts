import { SigV4Error } from './errors.js';

/** The pieces of a request url that SigV4 signs, cut from the string without re-encoding anything. */
export interface ParsedUrl {
  /** `scheme://authority` followed by the raw path, exactly as given (no query, no fragment). */
  base: string;
  /** Lowercased host with a non-default port kept (`127.0.0.1:9000`), the value of the `host` header. */
  host: string;
  /** Raw path between the authority and `?`/`#`; `/` when empty. */
  path: string;
  /** Raw query between `?` and `#`, without the `?`; `''` when absent. */
  query: string;
}

function invalid(reason: string): never {
  // Never echo the url: it may carry userinfo or presigned credentials.
  throw new SigV4Error('INVALID_URL', `invalid url: ${reason}`);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Host characters we accept: registered-name chars, IPv6 literal brackets/colons and percent (zone ids).
function isHostChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    isDigit(c) ||
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x7e || // ~
    c === 0x25 || // %
    c === 0x3a || // :  (IPv6 literal)
    c === 0x5b || // [
    c === 0x5d //    ]
  );
}

/**
 * Split an absolute http(s) url. The path is taken verbatim from the string (SigV4 rule: `new URL()` would
 * re-encode it and resolve `..`, which AWS's own test vectors deliberately contain).
 */
export function parseUrl(url: string): ParsedUrl {
  if (typeof url !== 'string' || url.length === 0) invalid('expected a non-empty string');
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) invalid('expected an absolute http:// or https:// url');
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  let defaultPort: string;
  if (scheme === 'https') defaultPort = '443';
  else if (scheme === 'http') defaultPort = '80';
  else invalid('only http and https urls can be signed');

  const authorityStart = schemeEnd + 3;
  let authorityEnd = authorityStart;
  while (authorityEnd < url.length) {
    const c = url.charCodeAt(authorityEnd);
    if (c === 0x2f || c === 0x3f || c === 0x23) break; // / ? #
    authorityEnd++;
  }
  const authority = url.slice(authorityStart, authorityEnd);
  if (authority.includes('@')) invalid('credentials in the url are not supported');

  // Split host and port; the last ':' after any IPv6 literal's ']' starts the port.
  const bracketEnd = authority.lastIndexOf(']');
  const colon = authority.indexOf(':', bracketEnd + 1);
  let hostname = colon === -1 ? authority : authority.slice(0, colon);
  let port = colon === -1 ? '' : authority.slice(colon + 1);
  if (hostname.length === 0) invalid('empty host');
  if (bracketEnd !== -1 && (hostname.charCodeAt(0) !== 0x5b || bracketEnd !== hostname.length - 1)) {
    invalid('malformed IPv6 host');
  }
  for (let i = 0; i < hostname.length; i++) {
    if (!isHostChar(hostname.charCodeAt(i))) invalid('invalid character in host');
  }
  if (bracketEnd === -1 && hostname.includes(':')) invalid('malformed host');
  if (colon !== -1) {
    if (port.length === 0 || port.length > 5) invalid('invalid port');
    for (let i = 0; i < port.length; i++) if (!isDigit(port.charCodeAt(i))) invalid('invalid port');
    const n = Number(port);
    if (n < 1 || n > 65535) invalid('invalid port');
    port = String(n); // drop leading zeros so `:09000` and `:9000` sign the same
  }
  hostname = hostname.toLowerCase();
  const host = port === '' || port === defaultPort ? hostname : `${hostname}:${port}`;

  // One pass over path, query and fragment: find where the path ends and refuse control characters
  // (the scheme and authority were checked character by character above).
  let pathEnd = -1;
  for (let i = authorityEnd; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) invalid('control characters are not allowed');
    if (pathEnd === -1 && (c === 0x3f || c === 0x23)) pathEnd = i; // ? #
  }
  if (pathEnd === -1) pathEnd = url.length;
  const path = pathEnd === authorityEnd ? '/' : url.slice(authorityEnd, pathEnd);
  let query = '';
  if (url.charCodeAt(pathEnd) === 0x3f) {
    const hash = url.indexOf('#', pathEnd + 1);
    query = hash === -1 ? url.slice(pathEnd + 1) : url.slice(pathEnd + 1, hash);
  }
  // Presigned urls need a path even when the caller gave none (`https://host` → `https://host/?X-Amz-...`).
  const base = pathEnd === authorityEnd ? `${url.slice(0, authorityEnd)}/` : url.slice(0, pathEnd);
  return { base, host, path, query };
}
