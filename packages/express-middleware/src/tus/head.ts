/**
 * HEAD: where an upload stands (Upload-Offset, Upload-Length or Upload-Defer-Length, Upload-Metadata,
 * Upload-Expires), never cached. A completed upload answers with its attachment's size, as if it were still there
 * (as @tus/server does), so a client resuming a finished upload sees that nothing is left to send. An upload that
 * received every byte but was not yet published (the publish failed) is published here. An expired one is removed
 * and answered 404.
 */
import { isAttError, type ResumableStatus } from '@att/store-core';
import type { Request, Response } from 'express';
import { publish } from './append.js';
import { isExpired, setExpires, type TusContext } from './context.js';
import { withUploadLock } from './lock.js';
import { RAW_METADATA_KEY } from './metadata.js';
import { notFound } from './terminate.js';

/** The upload's status, or undefined once it is published; an expired upload is removed and NOT_FOUND. */
export async function liveStatus(ctx: TusContext, req: Request, id: string): Promise<ResumableStatus | undefined> {
  let status: ResumableStatus;
  try {
    status = await ctx.tus.resumable.status(id);
  } catch (err) {
    if (!isAttError(err, 'NOT_FOUND')) throw err;
    await ctx.tus.store.stat(id).catch((statError) => {
      throw isAttError(statError, 'NOT_FOUND') ? notFound() : statError;
    });
    return undefined;
  }
  if (isExpired(ctx, status)) {
    await ctx.tus.resumable.abort(id);
    await ctx.limits.dropped(req, id);
    throw notFound();
  }
  return status;
}

export async function handleHead(ctx: TusContext, req: Request, res: Response, id: string): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  let status = await liveStatus(ctx, req, id);
  if (status && status.length !== undefined && status.offset === status.length) {
    await withUploadLock(ctx.tus.lease, id, () => publish(ctx, req, id));
    status = undefined;
  }
  if (!status) {
    const attachment = await ctx.tus.store.stat(id);
    res.setHeader('Upload-Offset', String(attachment.size));
    res.setHeader('Upload-Length', String(attachment.size));
    res.status(200).end();
    return;
  }
  res.setHeader('Upload-Offset', String(status.offset));
  if (status.length === undefined) res.setHeader('Upload-Defer-Length', '1');
  else res.setHeader('Upload-Length', String(status.length));
  const raw = status.metadata?.[RAW_METADATA_KEY];
  if (raw) res.setHeader('Upload-Metadata', raw);
  setExpires(ctx, res, status);
  res.status(200).end();
}
