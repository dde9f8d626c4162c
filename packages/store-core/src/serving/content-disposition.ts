/**
 * RFC 6266 Content-Disposition with RFC 5987/8187 `filename*`. Written by hand because the common package
 * drops `filename*` for names that fit Latin-1, which some clients then decode wrongly. One format for both places
 * a disposition goes: the middleware's download answers and the object the Store writes (S3 keeps it, so a CDN or
 * a presigned download names the file the same way).
 */
import { hasActiveExtension, isActiveType } from './active-types.js';

/** RFC 5987 attr-char: everything else is percent-encoded from UTF-8. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

export function encodeRfc5987(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Longest ASCII fallback kept whole; longer ones keep their start and extension (`filename*` has the full name). */
const MAX_FALLBACK = 200;

/** A printable-ASCII stand-in for old clients: accents dropped, other non-ASCII as "_", quotes escaped. */
export function asciiFallback(name: string): string {
  let plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
  if (plain.length > MAX_FALLBACK) {
    // Bounded so that the whole header stays well inside S3's 8 KiB of request headers with the longest name.
    const ext = /\.[A-Za-z0-9]{1,16}$/.exec(plain)?.[0] ?? '';
    plain = plain.slice(0, MAX_FALLBACK - ext.length) + ext;
  }
  return plain.replace(/[\\"]/g, (c) => `\\${c}`);
}

/** Always both forms: `type; filename="ascii"; filename*=UTF-8''encoded`. */
export function formatContentDisposition(type: 'inline' | 'attachment', filename: string): string {
  return `${type}; filename="${asciiFallback(filename)}"; filename*=UTF-8''${encodeRfc5987(filename)}`;
}

/**
 * The disposition an attachment is served with, wherever it is served from: `attachment` for active content (see
 * active-types.ts), else `inline`; named by its filename, or by its id when it has none.
 */
export function contentDispositionFor(attachment: {
  id: string;
  filename?: string | undefined;
  contentType?: string | undefined;
}): string {
  const active = isActiveType(attachment.contentType) || hasActiveExtension(attachment.filename);
  return formatContentDisposition(active ? 'attachment' : 'inline', attachment.filename ?? attachment.id);
}

/** Reads `filename*` (preferred) or `filename` from a request's Content-Disposition; undefined if absent. */
export function parseContentDispositionFilename(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return dispositionFilename(parseParams(header));
}

/**
 * `filename*` (RFC 5987, preferred when it decodes) or `filename` from a Content-Disposition's parameters, for a
 * caller that has parsed the header already (names lower-cased, values unquoted), such as a multipart part's.
 */
export function dispositionFilename(params: ReadonlyMap<string, string>): string | undefined {
  const extended = params.get('filename*');
  if (extended !== undefined) {
    const decoded = decodeRfc5987(extended);
    if (decoded !== undefined) return decoded;
  }
  return params.get('filename');
}

/** Splits `type; a=b; c="quoted \" value"` into lower-cased names and unquoted values. */
function parseParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of header.matchAll(re)) {
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

function decodeRfc5987(value: string): string | undefined {
  const m = /^([A-Za-z0-9!#$%&+\-^_`{}~]+)'[^']*'(.*)$/.exec(value);
  if (!m) return undefined;
  const charset = (m[1] ?? '').toLowerCase();
  const encoded = m[2] ?? '';
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const ch = encoded[i] as string;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  const buf = Buffer.from(bytes);
  if (charset === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return undefined;
    }
  }
  if (charset === 'iso-8859-1') return buf.toString('latin1');
  return undefined;
}
