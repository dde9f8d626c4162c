/**
 * The stored Content-Type comes from the bytes, not from the client: binary formats through file-type, the
 * text formats browsers would execute (HTML, SVG, XML) by their markers. A client's claim is only kept for
 * plain text that nothing else recognises, and active types are never served inline anyway.
 */

import { activeExtensionFor, essenceOf, isActiveType } from './active-types.js';
import { detectFileType } from './file-type-detector.js';

/** Enough for file-type's deepest probes and for finding markup after a BOM and whitespace. */
export const SNIFF_BYTES = 4100;

export interface Sniffed {
  type: string;
  ext: string;
}

export async function sniffContentType(head: Uint8Array, claimed: string | undefined): Promise<Sniffed> {
  if (head.length > 0) {
    const detected = await detectFileType(head);
    if (detected) return { type: detected.mime, ext: detected.ext };
  }
  const markup = sniffMarkup(head);
  if (markup) return markup;
  if (looksLikeText(head)) {
    const essence = essenceOf(claimed ?? '');
    // A claimed active type is kept: it only makes the download stricter (always `attachment`), whereas
    // relabelling "alert(1)" sent as JavaScript to text/plain would let it be served inline.
    if (/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(essence) && isActiveType(essence)) {
      return { type: essence, ext: activeExtensionFor(essence) };
    }
    if (/^(text\/[a-z0-9.+-]+|application\/(json|[a-z0-9.-]+\+json))$/.test(essence) && !isActiveType(essence)) {
      return { type: `${essence}; charset=utf-8`, ext: essence === 'application/json' ? 'json' : 'txt' };
    }
    return { type: 'text/plain; charset=utf-8', ext: 'txt' };
  }
  return { type: 'application/octet-stream', ext: 'bin' };
}

/** WHATWG-style markers, looked for after a BOM and leading whitespace, case-insensitively. */
function sniffMarkup(head: Uint8Array): Sniffed | undefined {
  const text = Buffer.from(head.subarray(0, 1024))
    .toString('latin1')
    .replace(/^(\xef\xbb\xbf|\xfe\xff|\xff\xfe)/, '')
    .trimStart()
    .toLowerCase();
  if (/^<svg[\s>]/.test(text) || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return { type: 'image/svg+xml', ext: 'svg' };
  }
  if (/^<(!doctype html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|!--)[\s>]/.test(text)) {
    return { type: 'text/html; charset=utf-8', ext: 'html' };
  }
  if (text.startsWith('<?xml')) return { type: 'application/xml', ext: 'xml' };
  return undefined;
}

/** No NULs or other binary control bytes, and decodes as UTF-8 (a cut multi-byte tail is fine). */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return true;
  for (const b of head) {
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimPartialUtf8(head)));
    return true;
  } catch {
    return false;
  }
}

/** Length without a trailing, incomplete UTF-8 sequence (the sniff window may cut one). */
function trimPartialUtf8(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && ((bytes[i] as number) & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i] as number;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? i : bytes.length;
}
