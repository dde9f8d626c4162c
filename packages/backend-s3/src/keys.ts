/**
 * Which keys this client will create. Every key is signed and sent byte-exact (RFC 3986-encoded once), and
 * listings are url-encoded, so reading, listing and deleting any key someone else wrote works. Creating one is
 * refused when a DeleteObjects document could not name it: XML 1.0 has no way to write most control characters
 * (a batch holding one fails whole), and servers that ignore `encoding-type=url` turn a raw `\r` into `\n` in their
 * listings. Also refused: keys over S3's 1024 UTF-8 bytes, which every server rejects anyway, but only after the body.
 */
import { AttError } from '@att/store-core';

const MAX_KEY_BYTES = 1024;
/** Whether a DeleteObjects document can name `key` (else it is deleted with its own DELETE request). */
export function isXmlSafe(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    // C0 controls, DEL, and the two XML non-characters (lone surrogates are refused by encodeKey).
    if (c < 0x20 || c === 0x7f || c === 0xfffe || c === 0xffff) return false;
  }
  return true;
}

/** Throws INVALID_ID unless this client may create an object under `fullKey` (`key`: the caller's, for messages). */
export function checkStorableKey(key: string, fullKey: string): void {
  if (!isXmlSafe(fullKey)) {
    throw new AttError('INVALID_ID', 'S3 key must not contain control characters (XML cannot name them in a delete)', {
      details: { key },
    });
  }
  if (Buffer.byteLength(fullKey, 'utf8') > MAX_KEY_BYTES) {
    throw new AttError('INVALID_ID', `S3 key (with the prefix) must be at most ${MAX_KEY_BYTES} UTF-8 bytes`, {
      details: { key },
    });
  }
}
