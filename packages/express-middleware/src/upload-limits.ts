/**
 * An upload's limits, settled before its body is read: the Store reserves the declared size (or a first slice)
 * against the file limit, the store's total and the visitor's budgets, and refuses at once when one is short.
 * A multipart body too long for `maxFiles` files of the largest size is refused on its headers alone.
 */
import { AttError, type Budget, type PendingWrite } from '@att/store-core';
import { generateId } from './id.js';
import type { ResolvedOptions } from './options.js';

/**
 * Besides its files, a multipart body carries boundaries, part headers and form fields (read, never stored).
 * Declared lengths beyond the files' limits by more than this are refused before reading.
 */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** A multipart body that cannot fit `maxFiles` files of the largest allowed size, refused on its headers alone. */
export function multipartTooLarge(declared: number | undefined, opts: ResolvedOptions): AttError | undefined {
  if (declared === undefined) return undefined;
  const payload = Math.max(0, declared - MULTIPART_OVERHEAD_BYTES);
  if (payload <= opts.maxFiles * opts.fileSizeLimit) return undefined;
  return new AttError('TOO_LARGE', `files larger than ${opts.fileSizeLimit} bytes`, {
    details: { limit: opts.fileSizeLimit },
  });
}

/** Prepares the store write of one uploaded file under a new id; rejects with the first limit it would break. */
export function prepareUpload(
  opts: ResolvedOptions,
  budgets: Budget[],
  signal: AbortSignal,
  size?: number,
): Promise<PendingWrite> {
  const now = Date.now();
  return opts.store.prepareWrite(generateId(), {
    isNew: true,
    budgets,
    ...(size === undefined ? {} : { size }),
    ...(Number.isFinite(opts.fileSizeLimit) ? { limit: opts.fileSizeLimit } : {}),
    ...(opts.narrowsExpiry && opts.expiry !== undefined ? { expiresAt: new Date(now + opts.expiry) } : {}),
    signal,
  });
}
