import { hmacSha256, sha256Base64 } from './hash.js';

/**
 * Derived signing keys, keyed by a SHA-256 of (secret, date, region, service) so the map never holds the raw
 * secret. A key is valid for one UTC day, so a handful of entries covers a process; the bound keeps a server
 * that signs for many tenants from growing without limit (oldest entry evicted first).
 */
const MAX_ENTRIES = 128;
const cache = new Map<string, Buffer>();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  const kDate = hmacSha256(`AWS4${secretAccessKey}`, shortDate);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, 'aws4_request');
}

/** The derived key for this scope, from the cache when possible. */
export function getSigningKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  // region and service are validated to contain no whitespace, so '\n' cannot make two scopes collide.
  const id = sha256Base64(`${secretAccessKey}\n${shortDate}\n${region}\n${service}`);
  let key = cache.get(id);
  if (key === undefined) {
    key = deriveSigningKey(secretAccessKey, shortDate, region, service);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(id, key);
  }
  return key;
}

/** Drop every cached key (e.g. after rotating credentials). Signing works the same either way. */
export function clearSigningKeyCache(): void {
  cache.clear();
}

/** Number of cached keys — for tests and diagnostics. */
export function signingKeyCacheSize(): number {
  return cache.size;
}
