/**
 * `GET <mount>/s3/params?filename=&type=&metadata[size]=`: Uppy's single-PUT signing call. Answers the presigned
 * PUT (`{ method, url, fields: { key }, headers, expires, key, id }`; `key` is what the upload is confirmed with,
 * see upload-key.ts) for a server-chosen id; the size, type, disposition and att's metadata are signed, so the bucket accepts
 * exactly the declared body.
 */
import type { Request, Response } from 'express';
import { type DirectContext, keyOf } from './context.js';
import { declareUpload, withdraw } from './declare.js';

export function searchOf(req: Request): URLSearchParams {
  const query = req.url.indexOf('?');
  return new URLSearchParams(query === -1 ? '' : req.url.slice(query + 1));
}

export async function handleParams(ctx: DirectContext, req: Request, res: Response): Promise<void> {
  const search = searchOf(req);
  const { record, contentDisposition } = await declareUpload(ctx, req, {
    filename: search.get('filename') ?? undefined,
    type: search.get('type') ?? undefined,
    size: search.get('metadata[size]') ?? undefined,
  });
  let signed: Awaited<ReturnType<DirectContext['transfers']['presignPut']>>;
  try {
    signed = await ctx.transfers.presignPut(record.id, {
      expiresIn: ctx.direct.expiresIn,
      size: record.size,
      contentType: record.contentType,
      metadata: record.metadata,
      contentDisposition,
    });
  } catch (err) {
    await withdraw(ctx, record);
    throw err;
  }
  const key = keyOf(ctx, record);
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({
    method: signed.method,
    url: signed.url,
    // Uppy (5.x) hands `fields.key` to `upload-success` as `body.key`: the id the page confirms with.
    fields: { key },
    headers: signed.headers,
    expires: ctx.direct.expiresIn,
    key,
    id: record.id,
  });
}
