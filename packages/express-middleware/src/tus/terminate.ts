/** DELETE (termination): the upload and its reservation go at once. A published upload is an attachment now. */
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import type { TusContext } from './context.js';
import { withUploadLock } from './lock.js';

export function notFound(): AttError {
  return new AttError('NOT_FOUND', 'upload not found');
}

export async function handleTerminate(ctx: TusContext, req: Request, res: Response, id: string): Promise<void> {
  await withUploadLock(ctx.tus.lease, id, async () => {
    await ctx.tus.resumable.status(id); // NOT_FOUND for unknown and published uploads
    await ctx.tus.resumable.abort(id);
    await ctx.limits.dropped(req, id);
  });
  res.status(204).end();
}
