/**
 * Confirmation: the object the browser wrote is checked against what was signed before it counts. Under the
 * upload's lock the Store HEADs it; size, content type and att's metadata must be exactly as declared. The URL
 * signature already makes S3 refuse other lengths and headers, so a mismatch means the object came some other way:
 * it is deleted and the reservation given back (413 when larger than declared, 400 otherwise) — never charged at
 * another size. On success the reservation becomes the object's size, and the record is settled.
 *
 * | object at confirmation           | answer | object  | store total / visitor total         |
 * |----------------------------------|--------|---------|-------------------------------------|
 * | absent (confirm before the PUT)  | 409    | —       | still reserved (until the URL dies) |
 * | as declared                      | 201    | kept    | reservation → declared size         |
 * | larger than declared             | 413    | deleted | reservation dropped                 |
 * | smaller, or other type/metadata  | 400    | deleted | reservation dropped                 |
 */
import { type Attachment, AttError, isAttError, type ObjectInfo } from '@att/store-core';
import type { Request } from 'express';
import { budgetsOf, type DirectContext } from './context.js';
import type { IssuedUpload } from './upload-key.js';

function mismatch(record: IssuedUpload, info: ObjectInfo): AttError | undefined {
  if (info.size > record.size) {
    return new AttError('TOO_LARGE', `the uploaded object (${info.size} bytes) is larger than declared`, {
      details: { declared: record.size, size: info.size },
    });
  }
  if (info.size < record.size) {
    return new AttError('SIZE_MISMATCH', `the uploaded object (${info.size} bytes) is smaller than declared`, {
      details: { declared: record.size, size: info.size },
    });
  }
  if ((info.contentType ?? '') !== record.contentType) {
    return new AttError('INVALID_REQUEST', 'the uploaded object has another content type than was signed');
  }
  for (const [name, value] of Object.entries(record.metadata)) {
    if (info.metadata?.[name] !== value) {
      return new AttError('INVALID_REQUEST', 'the uploaded object has other metadata than was signed');
    }
  }
  return undefined;
}

/** 409 when nothing is there yet: a confirmation that came too early keeps the upload (and its URL) alive. */
export async function assertUploaded(ctx: DirectContext, record: IssuedUpload): Promise<void> {
  try {
    await ctx.direct.store.backend.head(record.id);
  } catch (err) {
    if (!isAttError(err, 'NOT_FOUND')) throw err;
    throw new AttError('CONFLICT', 'nothing was uploaded under this id yet');
  }
}

/**
 * Publishes `record`'s object: `makeVisible` (multipart: CompleteMultipartUpload) then the HEAD check, then
 * settles the reservation (which spends the key) and runs `onStored`.
 */
export async function publish(
  ctx: DirectContext,
  req: Request,
  record: IssuedUpload,
  makeVisible?: () => Promise<void>,
): Promise<Attachment> {
  const { store } = ctx.direct;
  const budgets = budgetsOf(ctx, record.visitor);
  // Settling the reservation also spends the key: later calls with it find no live upload (403).
  const attachment: Attachment = await store.uploads.finish(
    record.id,
    async () => {
      await makeVisible?.();
      const info = await store.backend.head(record.id);
      const refusal = mismatch(record, info);
      if (refusal) {
        await store.backend.delete([record.id]);
        throw refusal;
      }
      return info;
    },
    { budgets, received: record.size },
  );
  try {
    await ctx.opts.onStored?.(attachment, req, { fields: {} });
  } catch (err) {
    // The app refused it (as for proxied uploads): the attachment goes, and the error reaches next(err).
    await store.remove(record.id).catch(() => {});
    throw err;
  }
  return attachment;
}
