/**
 * `GET <mount>/s3/multipart/:uploadId/:partNumber?key=`: Uppy's signPart. Each part's exact size follows from the
 * declared size and the part size, and is signed, so the bucket refuses a part of any other length; part numbers
 * past the declared size are refused. Signing a part is progress: it keeps the reservation alive for another URL
 * lifetime; an upload idle for longer has lost it (403), as its URLs have expired too.
 */
import type { Request, Response } from 'express';
import { type DirectContext, issuedUpload, partSizeOf } from './context.js';

export async function handleSignPart(
  ctx: DirectContext,
  _req: Request,
  res: Response,
  target: { key: string; uploadId: string; partNumber: string },
): Promise<void> {
  const record = await issuedUpload(ctx, target.key, target.uploadId);
  const partNumber = /^\d{1,5}$/.test(target.partNumber) ? Number(target.partNumber) : Number.NaN;
  const size = partSizeOf(record, partNumber);
  const { expiresIn } = ctx.direct;
  const signed = await ctx.transfers.presignPart(record.id, target.uploadId, partNumber, { expiresIn, size });
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({ url: signed.url, expires: expiresIn, headers: signed.headers });
}
