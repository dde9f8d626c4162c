/**
 * What every direct route shares: the resolved options, the live upload behind a `key`, the budgets a visitor's
 * upload is reserved under, and the part arithmetic the signing and completion routes must agree on.
 */
import { AttError, type Budget, type DirectTransfers } from '@att/store-core';
import type { ResolvedOptions } from '../options.js';
import { uploadBudgets } from '../visitor-budgets.js';
import type { ResolvedDirect } from './config.js';
import { type IssuedUpload, openUpload, sealUpload } from './upload-key.js';

export interface DirectContext {
  opts: ResolvedOptions;
  direct: ResolvedDirect;
  transfers: DirectTransfers;
}

/** The visitor's budgets for an upload: the same counters at signing and at confirmation. */
export function budgetsOf(ctx: DirectContext, visitor: string): Budget[] {
  return uploadBudgets(ctx.opts, visitor, Date.now());
}

/** How long an issued upload stays reserved without progress: its URL's lifetime (renewed by each call). */
export function lifetimeMs(ctx: DirectContext): number {
  return ctx.direct.expiresIn * 1000;
}

/** The `key` handed to the client for `record`: what its later calls name the upload by. */
export function keyOf(ctx: DirectContext, record: IssuedUpload): string {
  return sealUpload(ctx.direct.sealingKey, record);
}

/**
 * The live upload behind `key`, else 403. The key must be one a server with this secret sealed (and, for the
 * multipart routes, for `uploadId`); the upload must still hold its reservation in the store's ledger — settled
 * (confirmed, completed, aborted) and lapsed (URL expired without progress) uploads have none, whichever instance
 * ended them. Progress: the reservation is renewed for another URL lifetime.
 */
export async function issuedUpload(ctx: DirectContext, key: unknown, uploadId?: string): Promise<IssuedUpload> {
  const record = openUpload(ctx.direct.sealingKey, key);
  const wrongUpload = uploadId !== undefined && record.uploadId !== uploadId;
  if (
    wrongUpload ||
    !(await ctx.direct.store.uploads.renew(record.id, lifetimeMs(ctx), budgetsOf(ctx, record.visitor)))
  ) {
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
