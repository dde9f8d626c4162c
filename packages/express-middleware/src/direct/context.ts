/**
 * What every direct route shares: the resolved options, the issued-upload records, the budgets a visitor's
 * upload is reserved under, and the part arithmetic the signing and completion routes must agree on.
 */
import { AttError, type Budget, type DirectTransfers } from '@att/store-core';
import type { ResolvedOptions } from '../options.js';
import { uploadBudgets } from '../visitor-budgets.js';
import type { ResolvedDirect } from './config.js';
import type { IssuedUpload } from './issued.js';

export interface DirectContext {
  opts: ResolvedOptions;
  direct: ResolvedDirect;
  transfers: DirectTransfers;
}

/** The visitor's budgets for an upload: the same counters at signing and at confirmation. */
export function budgetsOf(ctx: DirectContext, visitor: string): Budget[] {
  return uploadBudgets(ctx.opts, visitor, Date.now());
}

/** How long an issued upload is remembered and reserved: its URL's lifetime (renewed by each part signed). */
export function lifetimeMs(ctx: DirectContext): number {
  return ctx.direct.expiresIn * 1000;
}

/** The live record for `id`, else 403: only ids this server handed out (and did not settle yet) are served. */
export async function issuedUpload(ctx: DirectContext, id: string, uploadId?: string): Promise<IssuedUpload> {
  const record = await ctx.direct.issued.get(id);
  if (!record || (uploadId !== undefined && record.uploadId !== uploadId)) {
    throw new AttError('FORBIDDEN', 'this upload was not issued here, or it expired');
  }
  return record;
}

/**
 * Part size for a file of `size` bytes: the configured one, raised when the file would need more parts than
 * the storage allows — the same rule as Uppy's default chunking, so a page that sets Uppy's `getChunkSize` from
 * the published `partSize` (or leaves Uppy's default with the default part size) cuts the same parts.
 */
export function partSizeFor(ctx: DirectContext, size: number): number {
  return Math.max(ctx.direct.partSize, ctx.transfers.minPartSize, Math.ceil(size / ctx.transfers.maxParts));
}

/** Number of parts of an issued multipart upload (at least one: an empty file is one empty part). */
export function partCountOf(record: IssuedUpload): number {
  const partSize = record.partSize ?? record.size;
  return Math.max(1, Math.ceil(record.size / partSize));
}

/** The exact size of part `partNumber` (1-based); 403 for a part number the declared size does not have. */
export function partSizeOf(record: IssuedUpload, partNumber: number): number {
  const partSize = record.partSize ?? record.size;
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > partCountOf(record)) {
    throw new AttError('INVALID_REQUEST', `part number must be in 1..${partCountOf(record)} for the declared size`);
  }
  return Math.min(partSize, record.size - (partNumber - 1) * partSize);
}
