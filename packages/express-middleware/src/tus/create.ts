/**
 * POST: creation, creation-defer-length and creation-with-upload. The id is generated here (CSPRNG), the length is
 * checked and reserved before any byte is read, and a body, when sent, is the upload's first append.
 */
import { AttError, contentDispositionFor, toMetadata } from '@att/store-core';
import type { Request, Response } from 'express';
import { generateId } from '../id.js';
import { appendRequest } from './append.js';
import { setExpires, type TusContext, uploadUrl } from './context.js';
import { describeUpload, RAW_METADATA_KEY } from './metadata.js';
import { DELETE_TOKEN_HEADER, integerHeader, OFFSET_CONTENT_TYPE } from './protocol.js';

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return length !== undefined ? length !== '0' : req.get('transfer-encoding') !== undefined;
}

export async function handleCreate(ctx: TusContext, req: Request, res: Response): Promise<void> {
  const length = integerHeader(req.get('upload-length'), 'Upload-Length');
  const deferred = req.get('upload-defer-length');
  if (deferred !== undefined && deferred !== '1') {
    throw new AttError('INVALID_REQUEST', 'Upload-Defer-Length must be 1');
  }
  if ((length === undefined) === (deferred === undefined)) {
    throw new AttError('INVALID_REQUEST', 'send exactly one of Upload-Length and Upload-Defer-Length: 1');
  }
  const description = describeUpload(req.get('upload-metadata'));
  const withBody = hasBody(req);
  if (withBody && req.get('content-type')?.split(';')[0]?.trim().toLowerCase() !== OFFSET_CONTENT_TYPE) {
    throw new AttError('INVALID_REQUEST', `a creation body must be ${OFFSET_CONTENT_TYPE}`, { status: 415 });
  }
  const id = generateId();
  await ctx.limits.admit(req, id, length);
  const { filename, contentType } = description;
  // The Store's own formats: the metadata every write stores, and the disposition every download is served with.
  const metadata = toMetadata({ createdAt: new Date(), ...(filename === undefined ? {} : { filename }) });
  if (description.raw !== undefined) metadata[RAW_METADATA_KEY] = description.raw;
  let status = await ctx.tus.resumable
    .create(id, {
      ...(length === undefined ? {} : { length }),
      ...(contentType ? { contentType } : {}),
      metadata,
      contentDisposition: contentDispositionFor({ id, filename, contentType }),
    })
    .catch(async (err) => {
      await ctx.limits.dropped(req, id);
      throw err;
    });
  res.setHeader('Location', uploadUrl(ctx, req, id));
  // With ownerDelete, the uploader gets the finished attachment's delete token now: the last PATCH answers 204.
  if (ctx.opts.ownerTokens) res.setHeader(DELETE_TOKEN_HEADER, ctx.opts.ownerTokens.tokenFor(id));
  if (withBody) {
    // A refusal of the body (checksum, size) is answered as such; the upload exists and can be resumed from HEAD.
    status = (await appendRequest(ctx, req, status, 0, undefined)).status;
  } else if (length === 0) {
    status = (await appendRequest(ctx, req, status, 0, undefined)).status;
  }
  res.setHeader('Upload-Offset', String(status.offset));
  setExpires(ctx, res, status);
  res.status(201).end();
}
