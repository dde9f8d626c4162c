/**
 * `GET <mount>/s3/multipart/:uploadId/:partNumber?key=`: Uppy's signPart. Each part's exact size follows from the
 * declared size and the part size, and is signed, so the bucket refuses a part of any other length; part numbers
 * past the declared size are refused. Signing a part is progress: it keeps the reservation and the record alive
 * for another URL lifetime (and re-reserves if the reservation lapsed while the upload idled).
 */
import type { Request, Response } from 'express';
import { budgetsOf, type DirectContext, issuedUpload, lifetimeMs, partSizeOf } from './context.js';

export async function handleSignPart(
  ctx: DirectContext,
  req: Request,
  res: Response,
  target: { id: string; uploadId: string; partNumber: string },
): Promise<void> {
  const record = await issuedUpload(ctx, target.id, target.uploadId);
  const partNumber = /^\d{1,5}$/.test(target.partNumber) ? Number(target.partNumber) : Number.NaN;
  const size = partSizeOf(record, partNumber);
  const { store, issued, expiresIn } = ctx.direct;
  const budgets = budgetsOf(ctx, record.visitor);
  const alive = await store.uploads.renew(record.id, lifetimeMs(ctx), budgets);
  if (!alive) {
    await store.uploads.reserve(record.id, {
      bytes: record.size,
      limit: ctx.opts.fileSizeLimit,
      budgets,
      ttlMs: lifetimeMs(ctx),
    });
  }
  await issued.put(record, lifetimeMs(ctx));
  const signed = await ctx.transfers.presignPart(record.id, target.uploadId, partNumber, { expiresIn, size });
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({ url: signed.url, expires: expiresIn, headers: signed.headers });
}
