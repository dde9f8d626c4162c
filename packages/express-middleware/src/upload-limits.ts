/**
 * Limit checks made before an upload's body is read, from its declared length and what the visitor has left,
 * so an over-limit body is refused with one answer instead of being read and then cut.
 */
import { AttError } from '@att/store-core';
import type { ResolvedOptions } from './options.js';

/** The error a body of `bytes` would hit, checked before reading it (the first limit wins, as in ntfy). */
export function limitErrorFor(
  bytes: number,
  opts: ResolvedOptions,
  remaining: { total: number; bandwidth: number },
  requestLimit = opts.fileSizeLimit,
): AttError | undefined {
  if (bytes > requestLimit) {
    return new AttError('TOO_LARGE', `file larger than ${opts.fileSizeLimit} bytes`);
  }
  if (bytes > remaining.total) return new AttError('TOO_LARGE', 'visitor attachment size limit reached');
  if (bytes > remaining.bandwidth) return new AttError('RATE_LIMITED', 'daily bandwidth limit reached');
  const storeRemaining = opts.store.remaining;
  if (typeof storeRemaining === 'number' && bytes > storeRemaining) {
    return new AttError('QUOTA_EXCEEDED', 'attachment store is full');
  }
  return undefined;
}

/**
 * Besides its files, a multipart body carries boundaries, part headers and form fields (read, never stored).
 * Declared lengths beyond the files' limits by more than this are refused before reading.
 */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** The early error for a multipart body of `declared` bytes: at most `maxFiles` files, each within the limits. */
export function multipartLimitErrorFor(
  declared: number | undefined,
  opts: ResolvedOptions,
  remaining: { total: number; bandwidth: number },
): AttError | undefined {
  if (declared === undefined) return undefined;
  const payload = Math.max(0, declared - MULTIPART_OVERHEAD_BYTES);
  return limitErrorFor(payload, opts, remaining, opts.maxFiles * opts.fileSizeLimit);
}

/** The error for a visitor with nothing left at all (refused before any byte, whatever the body's size). */
export function exhausted(remaining: { total: number; bandwidth: number }): AttError | undefined {
  if (remaining.total <= 0) return new AttError('TOO_LARGE', 'visitor attachment size limit reached');
  if (remaining.bandwidth <= 0) return new AttError('RATE_LIMITED', 'daily bandwidth limit reached');
  return undefined;
}
