/**
 * The header side of multipart/form-data: the request's boundary (RFC 2046) and what one part's header block
 * says the part is (RFC 7578). Header bytes come from clients, so every structure is bounded and any byte HTTP
 * does not allow in a header is refused rather than guessed at.
 */
import { AttError } from '@att/store-core';
import { dispositionFilename } from './content-disposition.js';

export interface PartInfo {
  /** A part with a filename, or sent as application/octet-stream, is a file; one without is a text field. */
  kind: 'file' | 'field' | 'skip';
  /** The form control's name ('' when the part has none). */
  name: string;
  /** As the client sent it (filename* first), not yet cleaned; undefined when absent or empty. */
  filename: string | undefined;
  /** `type/subtype` in lower case; text/plain when the part has none (RFC 7578 §4.4). */
  contentType: string;
  /** The charset a text field's value is decoded with. */
  charset: string;
}

/** More header lines than any form part needs (browsers send two or three). */
export const MAX_PART_HEADERS = 100;

/** RFC 2046 bchars, 1–70 of them, not ending in a space. None is CR, which the parser's carry relies on. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/;

export function malformedBody(why?: string): AttError {
  return new AttError('INVALID_REQUEST', `malformed multipart/form-data body${why ? `: ${why}` : ''}`);
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined when it is missing or not RFC 2046's. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const parsed = contentType === undefined ? undefined : parseHeaderParams(contentType);
  if (parsed?.value !== 'multipart/form-data') return undefined;
  const boundary = parsed.params.get('boundary');
  return boundary !== undefined && BOUNDARY.test(boundary) ? boundary : undefined;
}

/** Reads a part's header block (the bytes between the delimiter line and the empty line, CRLFs inside). */
export function describePart(block: Buffer): PartInfo {
  const headers = parseHeaderBlock(block);
  const info: PartInfo = { kind: 'skip', name: '', filename: undefined, contentType: 'text/plain', charset: 'utf-8' };
  const type = headers.get('content-type');
  if (type !== undefined) {
    const parsed = parseHeaderParams(type);
    if (parsed && MEDIA_TYPE.test(parsed.value)) {
      info.contentType = parsed.value;
      info.charset = parsed.params.get('charset')?.toLowerCase() ?? 'utf-8';
    }
  }
  const disposition = headers.get('content-disposition');
  // A part that is not `form-data` belongs to no form control: its body is read past, never kept.
  if (disposition === undefined) return info;
  const parsed = parseHeaderParams(disposition);
  if (parsed === undefined) throw malformedBody('unreadable Content-Disposition');
  if (parsed.value !== 'form-data') return info;
  info.name = parsed.params.get('name') ?? '';
  // The same filename rules (filename* first, RFC 5987) as a raw upload's Content-Disposition, on the
  // parameters read above: the header is parsed once, by the strict parser.
  info.filename = dispositionFilename(parsed.params) || undefined;
  info.kind = info.filename !== undefined || info.contentType === 'application/octet-stream' ? 'file' : 'field';
  return info;
}

/**
 * Header lines as a map of lower-cased names to the first value. Only HTAB, visible ASCII and bytes ≥ 0x80 may
 * appear in a line, and lines end in CRLF: a bare CR or LF is refused, so no client can make two parsers (ours
 * and a proxy's) disagree on where a header or the block ends. Folded lines (obs-fold) join their header.
 */
function parseHeaderBlock(block: Buffer): Map<string, string> {
  for (let i = 0; i < block.length; i++) {
    const byte = block[i] as number;
    if (byte >= 0x20 && byte !== 0x7f) continue;
    if (byte === 0x09) continue;
    if (byte === 0x0d && block[i + 1] === 0x0a) {
      i++;
      continue;
    }
    throw malformedBody('control character or bare CR/LF in a part header');
  }
  const headers = new Map<string, string>();
  if (block.length === 0) return headers;
  const lines = block.toString('utf8').split('\r\n');
  if (lines.length > MAX_PART_HEADERS) throw malformedBody(`more than ${MAX_PART_HEADERS} part header lines`);
  let name: string | undefined;
  let value = '';
  const keep = () => {
    if (name !== undefined && !headers.has(name)) headers.set(name, value.trim());
  };
  for (const line of lines) {
    if (line[0] === ' ' || line[0] === '\t') {
      if (name === undefined) throw malformedBody('part header starts with a continuation line');
      value += ` ${line.trim()}`;
      continue;
    }
    keep();
    const colon = line.indexOf(':');
    name = line.slice(0, colon).toLowerCase();
    if (colon < 0 || !TOKEN.test(name)) throw malformedBody('unreadable part header line');
    value = line.slice(colon + 1);
  }
  keep();
  return headers;
}

/**
 * `type/subtype; a=b; c="quoted \" value"`: the lower-cased value before the first `;` and its parameters
 * (names lower-cased, the first of a repeated name kept). Undefined when a parameter is broken (no `=`, an
 * unterminated quote, text after a quoted value), since guessing would read something the sender did not mean.
 */
export function parseHeaderParams(header: string): { value: string; params: Map<string, string> } | undefined {
  const params = new Map<string, string>();
  let at = header.indexOf(';');
  const value = (at < 0 ? header : header.slice(0, at)).trim().toLowerCase();
  while (at >= 0 && at < header.length) {
    const eq = header.indexOf('=', at + 1);
    if (eq < 0) return header.slice(at + 1).trim() === '' ? { value, params } : undefined;
    const name = header
      .slice(at + 1, eq)
      .trim()
      .toLowerCase();
    if (!TOKEN.test(name)) return undefined;
    let i = eq + 1;
    while (header[i] === ' ' || header[i] === '\t') i++;
    let param = '';
    if (header[i] === '"') {
      for (i++; ; i++) {
        const ch = header[i];
        if (ch === undefined) return undefined;
        if (ch === '"') break;
        if (ch === '\\') {
          i++;
          if (i === header.length) return undefined;
        }
        param += header[i];
      }
      at = header.indexOf(';', i + 1);
      if (header.slice(i + 1, at < 0 ? header.length : at).trim() !== '') return undefined;
    } else {
      at = header.indexOf(';', i);
      param = header.slice(i, at < 0 ? header.length : at).trim();
    }
    if (!params.has(name)) params.set(name, param);
  }
  return { value, params };
}
