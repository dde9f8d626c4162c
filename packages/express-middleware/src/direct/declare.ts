/**
 * The first step of every direct upload (single PUT or multipart): the client declares name, type and size; the
 * server checks the size against every limit and reserves it (store total, visitor total, bandwidth) before a
 * byte moves, picks the id, and fixes the metadata it will sign. Nothing is reserved for a refused declaration.
 */
import { AttError, checkContentType, contentDispositionFor, toMetadata } from '@att/store-core';
import type { Request } from 'express';
import { generateId } from '../id.js';
import { budgetsOf, type DirectContext, lifetimeMs } from './context.js';
import type { IssuedUpload } from './upload-key.js';

export interface Declaration {
  filename: string | undefined;
  type: string | undefined;
  /** `metadata.size` as sent (Uppy's file meta; the page puts the file's size there). */
  size: unknown;
}

const MAX_FILENAME_LENGTH = 1024;

function declaredSize(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new AttError('INVALID_REQUEST', "declare the file's size: metadata[size] must be a whole number of bytes");
  }
  return Number(text);
}

function declaredName(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_FILENAME_LENGTH) throw new AttError('INVALID_REQUEST', 'filename is too long');
  return value;
}

export interface DeclaredUpload {
  /** What the routes then serve (not yet stored). */
  record: IssuedUpload;
  /**
   * The disposition the object is stored with (signed like the metadata): the Store's rule for its filename and
   * type, so a presigned or CDN download names the file as the middleware's GET does. Not sealed into the key:
   * only the signing call that declared it needs it.
   */
  contentDisposition: string;
}

/** Checks and reserves the declaration. */
export async function declareUpload(
  ctx: DirectContext,
  req: Request,
  declaration: Declaration,
): Promise<DeclaredUpload> {
  const size = declaredSize(declaration.size);
  const contentType = checkContentType(declaration.type);
  const filename = declaredName(declaration.filename);
  const { opts } = ctx;
  if (size > opts.fileSizeLimit) {
    throw new AttError('TOO_LARGE', `attachment exceeds the size limit of ${opts.fileSizeLimit} bytes`, {
      details: { limit: opts.fileSizeLimit },
    });
  }
  const now = Date.now();
  const expiry = opts.expiry;
  const metadata = toMetadata({
    createdAt: new Date(now),
    ...(filename === undefined ? {} : { filename }),
    ...(expiry === undefined ? {} : { expiresAt: new Date(now + expiry) }),
  });
  const id = generateId();
  const visitor = opts.visitor(req);
  // The URL's lifetime is the reservation's: an upload never confirmed gives its bytes back when the URL dies.
  const record: IssuedUpload = { id, size, contentType, metadata, visitor };
  try {
    await ctx.direct.store.uploads.reserve(id, {
      bytes: size,
      limit: opts.fileSizeLimit,
      budgets: budgetsOf(ctx, visitor),
      ttlMs: lifetimeMs(ctx),
      // An expiry narrower than the store's goes into its expiry index (S3), so cleanup honours it.
      ...(opts.narrowsExpiry && expiry !== undefined ? { expiresAt: new Date(now + expiry) } : {}),
    });
  } catch (err) {
    // Budgets in another ledger than the store's are claimed separately: a refusal by one may leave the
    // other's claim behind, so the whole reservation is given back.
    await withdraw(ctx, record);
    throw err;
  }
  return { record, contentDisposition: contentDispositionFor({ id, filename, contentType }) };
}

/** Gives a declaration's reservation back when signing failed after it was made. */
export async function withdraw(ctx: DirectContext, record: IssuedUpload): Promise<void> {
  await ctx.direct.store.uploads.abandon(record.id, { budgets: budgetsOf(ctx, record.visitor) }).catch(() => {});
}
