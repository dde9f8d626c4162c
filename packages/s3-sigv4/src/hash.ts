import * as crypto from 'node:crypto';

/** SHA-256 of the empty string, the payload hash of every bodiless request. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// crypto.hash (Node >= 20.12) hashes in one call without allocating a Hash object: noticeably faster for the
// short strings we hash on every signature. Fall back for runtimes that lack it.
const oneShot: ((algorithm: string, data: string | Uint8Array, encoding: 'hex' | 'base64') => string) | undefined =
  typeof crypto.hash === 'function' ? (crypto.hash as never) : undefined;

/**
 * Lowercase hex SHA-256 of a UTF-8 string or of bytes — the form SigV4 uses for payload hashes
 * (`x-amz-content-sha256`) and for the canonical request hash.
 */
export function sha256Hex(data: string | Uint8Array): string {
  if (typeof data === 'string' && data.length === 0) return EMPTY_SHA256;
  if (oneShot !== undefined) return oneShot('sha256', data, 'hex');
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Base64 SHA-256, used to key caches by a secret without storing the secret. */
export function sha256Base64(data: string): string {
  if (oneShot !== undefined) return oneShot('sha256', data, 'base64');
  return crypto.createHash('sha256').update(data).digest('base64');
}

export function hmacSha256(key: string | Uint8Array, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

export function hmacSha256Hex(key: Uint8Array, data: string): string {
  return crypto.createHmac('sha256', key).update(data).digest('hex');
}
