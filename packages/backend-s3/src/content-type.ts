// Content-Type values are checked against RFC 9110's media-type grammar before any request: a value outside it
// (`é`, a line break, a stray `;`) would be rewritten or refused by the HTTP layer or the server after signing,
// and come back as a baffling signature mismatch reported as ACCESS_DENIED.
//
//   media-type = type "/" subtype *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )
//
// obs-text (bytes 0x80–0xFF) is refused too: header values must be ASCII for SigV4 to sign what is sent.
import { AttError } from '@att/store-core';

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*$`);

export function isValidContentType(value: string): boolean {
  return value.length <= 1024 && MEDIA_TYPE.test(value);
}

/** Throws INVALID_REQUEST naming `field` (never echoing more than a short, escaped prefix of the value). */
export function checkContentType(value: unknown, field = 'contentType'): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !isValidContentType(value)) {
    const shown = typeof value === 'string' ? ` (${JSON.stringify(value.slice(0, 64))})` : '';
    throw new AttError(
      'INVALID_REQUEST',
      `${field} must be a media type like "text/plain; charset=utf-8" (RFC 9110 grammar, ASCII only)${shown}`,
      { details: { field } },
    );
  }
}
