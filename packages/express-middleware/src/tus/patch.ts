/**
 * PATCH: bytes at Upload-Offset, as application/offset+octet-stream (else 415). A wrong offset is 409 before any
 * byte is read; Upload-Length may arrive here for a deferred upload. Answers 204 with the new Upload-Offset.
 */
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import { appendRequest } from './append.js';
import { setExpires, type TusContext } from './context.js';
import { liveStatus } from './head.js';
import { integerHeader, OFFSET_CONTENT_TYPE } from './protocol.js';

export async function handlePatch(ctx: TusContext, req: Request, res: Response, id: string): Promise<void> {
  if (req.get('content-type')?.split(';')[0]?.trim().toLowerCase() !== OFFSET_CONTENT_TYPE) {
    throw new AttError('INVALID_REQUEST', `PATCH bodies must be ${OFFSET_CONTENT_TYPE}`, { status: 415 });
  }
  const offset = integerHeader(req.get('upload-offset'), 'Upload-Offset');
  if (offset === undefined) throw new AttError('INVALID_REQUEST', 'Upload-Offset is required');
  const length = integerHeader(req.get('upload-length'), 'Upload-Length');
  const status = await liveStatus(ctx, req, id);
  if (!status) {
    // Published already: only a retry of the request that finished it (nothing left to send) is fine.
    const attachment = await ctx.tus.store.stat(id);
    if (offset !== attachment.size) {
      throw new AttError('CONFLICT', `the upload is complete at ${attachment.size} bytes`, {
        details: { offset: attachment.size },
      });
    }
    res.setHeader('Upload-Offset', String(attachment.size));
    res.status(204).end();
    return;
  }
  if (length !== undefined && status.length !== undefined && length !== status.length) {
    throw new AttError('INVALID_REQUEST', 'Upload-Length cannot change once set');
  }
  if (length !== undefined && status.length === undefined && length > ctx.tus.maxSize) {
    throw new AttError('TOO_LARGE', `Upload-Length exceeds the size limit of ${ctx.tus.maxSize} bytes`, {
      details: { limit: ctx.tus.maxSize },
    });
  }
  const result = await appendRequest(ctx, req, status, offset, status.length === undefined ? length : undefined);
  res.setHeader('Upload-Offset', String(result.status.offset));
  if (!result.published) setExpires(ctx, res, result.status);
  res.status(204).end();
}
