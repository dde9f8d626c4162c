/**
 * `DELETE <mount>/s3/multipart/:uploadId?key=`: Uppy's abortMultipartUpload (the user cancelled). The parts go,
 * the reservation is given back at once rather than when the URL would have expired, and that spends the key.
 */
import type { Request, Response } from 'express';
import { budgetsOf, type DirectContext, issuedUpload } from './context.js';

export async function handleAbort(
  ctx: DirectContext,
  _req: Request,
  res: Response,
  target: { key: string; uploadId: string },
): Promise<void> {
  const record = await issuedUpload(ctx, target.key, target.uploadId);
  await ctx.transfers.abortMultipart(record.id, target.uploadId);
  await ctx.direct.store.uploads.abandon(record.id, { budgets: budgetsOf(ctx, record.visitor) });
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({});
}
