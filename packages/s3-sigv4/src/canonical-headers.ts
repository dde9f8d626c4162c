import { SigV4Error } from './errors.js';

/** A header ready for signing: lowercase name, value trimmed with inner whitespace runs collapsed. */
export type HeaderEntry = [name: string, value: string];

// HTTP's optional whitespace (space, tab) plus CR/LF left by obsolete line folding — the set AWS collapses.
function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Trim and collapse every run of whitespace (including folded line breaks) to one space. */
export function trimAll(value: string): string {
  const n = value.length;
  if (n === 0) return value;
  // Fast path: most values have no edge whitespace and only single inner spaces — return them untouched.
  let clean = !isWhitespace(value.charCodeAt(0)) && !isWhitespace(value.charCodeAt(n - 1));
  for (let i = 1; clean && i < n - 1; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 && isWhitespace(c) && (c !== 0x20 || isWhitespace(value.charCodeAt(i + 1)))) clean = false;
  }
  if (clean) return value;
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (isWhitespace(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    out += value[i];
  }
  return out;
}

// RFC 9110 token characters: what a header name may contain.
const TOKEN = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~") TOKEN[ch.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** Lowercased, trimmed header name; throws INVALID_REQUEST for names HTTP cannot carry. */
export function headerName(raw: string): string {
  let name = raw;
  if (name.length > 0 && (isWhitespace(name.charCodeAt(0)) || isWhitespace(name.charCodeAt(name.length - 1)))) {
    name = name.trim();
  }
  if (name.length === 0) throw new SigV4Error('INVALID_REQUEST', 'empty header name');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) throw new SigV4Error('INVALID_REQUEST', 'invalid character in header name');
  }
  return name.toLowerCase();
}

/** Header value as a string; numbers are accepted for JavaScript callers (`content-length: 13`). */
export function headerValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new SigV4Error('INVALID_REQUEST', 'header values must be strings');
}

function byName(a: HeaderEntry, b: HeaderEntry): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Sort entries by name (stable, so repeated names keep their order) and build the canonical header block
 * (`name:value\n` per name, repeated names joined with `,`) and the `;`-separated signed header list.
 */
export function canonicalHeaders(entries: HeaderEntry[]): { canonical: string; signed: string } {
  entries.sort(byName);
  let canonical = '';
  let signed = '';
  for (let i = 0; i < entries.length; i++) {
    const [name, value] = entries[i]!;
    if (i > 0 && entries[i - 1]![0] === name) {
      canonical = `${canonical.slice(0, -1)},${value}\n`;
      continue;
    }
    canonical += `${name}:${value}\n`;
    signed += i === 0 ? name : `;${name}`;
  }
  return { canonical, signed };
}
