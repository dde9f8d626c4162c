/**
 * `POST <mount>/s3/multipart` `{ filename, type, metadata: { size } }`: Uppy's createMultipartUpload. The server
 * starts the multipart upload itself (content type, disposition and att's metadata set here, never by the client) and answers
 * `{ key, uploadId, id }`: `key` names the upload in the later calls (upload-key.ts), `id` is the attachment's.
 */
import type { Request, Response } from 'express';
import { type DirectContext, keyOf, partSizeFor } from './context.js';
import { declareUpload, withdraw } from './declare.js';
import { readJson } from './json-body.js';

export async function handleCreateMultipart(ctx: DirectContext, req: Request, res: Response): Promise<void> {
  const body = await readJson(req);
  const metadata = body.metadata && typeof body.metadata === 'object' ? (body.metadata as Record<string, unknown>) : {};
  const { record, contentDisposition } = await declareUpload(ctx, req, {
    filename: typeof body.filename === 'string' ? body.filename : undefined,
    type: typeof body.type === 'string' ? body.type : undefined,
    size: metadata.size,
  });
  try {
    record.partSize = partSizeFor(ctx, record.size);
    record.uploadId = await ctx.transfers.createMultipart(record.id, {
      contentType: record.contentType,
      metadata: record.metadata,
      contentDisposition,
    });
  } catch (err) {
    if (record.uploadId !== undefined) await ctx.transfers.abortMultipart(record.id, record.uploadId).catch(() => {});
    await withdraw(ctx, record);
    throw err;
  }
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({ key: keyOf(ctx, record), uploadId: record.uploadId, id: record.id });
}
