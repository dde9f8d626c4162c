import { randomBytes } from 'node:crypto';
import { AttError } from '@att/store-core';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 22 base62 characters ≈ 131 bits: the id is the only secret guarding a download URL, so well over 96 bits. */
const ID_LENGTH = 22;
/** Largest multiple of 62 below 256: bytes at or above it are rejected so every character is equally likely. */
const UNBIASED_LIMIT = 248;

export const MAX_ID_LENGTH = 128;
// One default for the Store and the routes, so an id the routes accept is never one the Store refuses.
export { DEFAULT_ID_PATTERN } from '@att/store-core';

/** A fresh id from the CSPRNG, alphanumeric so it is safe in any path, key or header. */
export function generateId(): string {
  // Character codes first and one string at the end: appending a character at a time builds a rope of 22 pieces
  // that lives as long as the id does (keys, maps, ledgers).
  const codes: number[] = [];
  while (codes.length < ID_LENGTH) {
    for (const byte of randomBytes(32)) {
      if (byte < UNBIASED_LIMIT) codes.push(ALPHABET.charCodeAt(byte % 62));
      if (codes.length === ID_LENGTH) break;
    }
  }
  return String.fromCharCode(...codes);
}

export function isValidId(id: unknown, pattern: RegExp): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && pattern.test(id);
}

/** Throws INVALID_ID unless `id` is short and matches `pattern`; runs before any backend call. */
export function assertValidId(id: unknown, pattern: RegExp): asserts id is string {
  if (!isValidId(id, pattern)) throw new AttError('INVALID_ID', 'invalid attachment id');
}
