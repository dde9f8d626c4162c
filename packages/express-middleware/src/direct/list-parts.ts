/**
 * `GET <mount>/s3/multipart/:uploadId?key=`: Uppy's listParts, used to resume an upload after a reload. Answers
 * S3's part list in Uppy's shape (`[{ PartNumber, Size, ETag }]`).
 */
import type { Request, Response } from 'express';
import { type DirectContext, issuedUpload } from './context.js';

export async function handleListParts(
  ctx: DirectContext,
  _req: Request,
  res: Response,
  target: { key: string; uploadId: string },
): Promise<void> {
  const record = await issuedUpload(ctx, target.key, target.uploadId);
  const parts = await ctx.transfers.listParts(record.id, target.uploadId);
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json(parts.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ETag: p.etag })));
}
