/**
 * Taking bytes into an upload, shared by PATCH and creation-with-upload: under the upload's lock, the request body
 * (bounded by chunkSizeLimit and the reservation, hashed when Upload-Checksum is given) goes to the backend's
 * `append`; when the last byte is in, the upload is published as the attachment.
 *
 * | request ends                      | bytes                                  | answer                     |
 * | body complete, checksum ok        | kept                                   | 204 + Upload-Offset        |
 * | checksum mismatch                 | all of this request's discarded        | 460                        |
 * | socket lost midway                | those that arrived kept (no checksum)  | none (client HEADs, resumes)|
 * | offset differs from the stored one| none read                              | 409                        |
 * | another request holds the upload  | none read                              | 423 (clients retry)        |
 * | last byte in, publish fails       | kept; the next HEAD or PATCH publishes | 503                        |
 */
import { type Attachment, AttError, type ResumableStatus } from '@att/store-core';
import type { Request } from 'express';
import { parseChecksum } from './checksum.js';
import type { TusContext } from './context.js';
import { withUploadLock } from './lock.js';

export interface AppendResult {
  status: ResumableStatus;
  /** Set when this request published the upload. */
  published?: Attachment;
}

async function* bounded(body: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > limit) {
      throw new AttError('TOO_LARGE', `a request body may carry at most ${limit} bytes`, { details: { limit } });
    }
    yield chunk;
  }
}

/** A deferred length is checked and reserved as its bytes arrive. */
async function* reservedAsItGrows(
  ctx: TusContext,
  req: Request,
  id: string,
  offset: number,
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let total = offset;
  for await (const chunk of body) {
    total += chunk.byteLength;
    await ctx.limits.grow(req, id, chunk.byteLength, total);
    yield chunk;
  }
}

/** Publishes a fully received upload; the caller holds the lock. */
export function publish(ctx: TusContext, req: Request, id: string): Promise<Attachment> {
  return ctx.limits.publish(req, id, () => ctx.tus.resumable.complete(id));
}

/**
 * `before` is the status the caller read (before taking the lock): the backend checks the offset again under the
 * lock (CONFLICT), so a status read costs one request per PATCH, not two.
 */
export async function appendRequest(
  ctx: TusContext,
  req: Request,
  before: ResumableStatus,
  offset: number,
  declaredLength: number | undefined,
): Promise<AppendResult> {
  const checksum = parseChecksum(req.get('upload-checksum'));
  const id = before.key;
  return withUploadLock(ctx.tus.lease, id, async () => {
    if (before.offset !== offset) {
      throw new AttError('CONFLICT', `Upload-Offset is ${offset}, but the upload is at ${before.offset}`, {
        details: { offset: before.offset },
      });
    }
    const declares = declaredLength !== undefined && before.length === undefined;
    await ctx.limits.renew(req, id, before.length ?? before.offset);
    // A deferred upload has reserved the bytes it received; its declared length reserves the rest.
    if (declares) await ctx.limits.grow(req, id, declaredLength - offset, declaredLength);
    // Bytes that cross the wire count for bandwidth whatever becomes of them, charged before they go further.
    const bandwidth = ctx.limits.bandwidth(req);
    let body: AsyncIterable<Uint8Array> = bandwidth.through(req);
    if (Number.isFinite(ctx.tus.chunkSizeLimit)) body = bounded(body, ctx.tus.chunkSizeLimit);
    if (before.length === undefined && !declares) body = reservedAsItGrows(ctx, req, id, offset, body);
    if (checksum) body = checksum.through(body);
    let status: ResumableStatus;
    try {
      status = await ctx.tus.resumable.append(id, offset, body, {
        ...(declares ? { length: declaredLength } : {}),
        ...(checksum ? { verify: () => checksum.verify() } : {}),
      });
    } finally {
      await bandwidth.finish().catch(() => {});
    }
    if (status.length !== undefined && status.offset === status.length) {
      return { status, published: await publish(ctx, req, id) };
    }
    return { status };
  });
}
