/**
 * `POST <mount>/s3/multipart/:uploadId/complete?key=` `{ parts: [{ PartNumber, ETag }] }`: Uppy's
 * completeMultipartUpload, which is also the confirmation. The parts must be exactly 1..n for the declared size;
 * the object is then completed, checked and charged like a confirmed single PUT (publish.ts). Answers Uppy's
 * `{ location }` plus att's upload answer.
 */
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import { answerFor } from '../upload-answers.js';
import { type DirectContext, issuedUpload, partCountOf } from './context.js';
import { readJson } from './json-body.js';
import { publish } from './publish.js';

const ETAG = /^[\x21-\x7e]{1,128}$/;

function partsOf(body: Record<string, unknown>, count: number): { partNumber: number; etag: string }[] {
  const given = body.parts;
  if (!Array.isArray(given) || given.length !== count) {
    throw new AttError('INVALID_REQUEST', `parts must list all ${count} parts of the declared size`);
  }
  const parts = given.map((part: unknown) => {
    const { PartNumber, ETag } = (part ?? {}) as { PartNumber?: unknown; ETag?: unknown };
    if (!Number.isSafeInteger(PartNumber) || typeof ETag !== 'string' || !ETAG.test(ETag)) {
      throw new AttError('INVALID_REQUEST', 'each part must be { PartNumber, ETag }');
    }
    return { partNumber: PartNumber as number, etag: ETag };
  });
  parts.sort((a, b) => a.partNumber - b.partNumber);
  parts.forEach((part, i) => {
    if (part.partNumber !== i + 1) throw new AttError('INVALID_REQUEST', `parts must be numbered 1..${count}`);
  });
  return parts;
}

export async function handleComplete(
  ctx: DirectContext,
  req: Request,
  res: Response,
  target: { key: string; uploadId: string },
): Promise<void> {
  const record = await issuedUpload(ctx, target.key, target.uploadId);
  const parts = partsOf(await readJson(req), partCountOf(record));
  const attachment = await publish(ctx, req, record, () =>
    ctx.transfers.completeMultipart(record.id, target.uploadId, parts),
  );
  const answer = answerFor(ctx.opts, req, attachment);
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({ location: answer.url, ...answer });
}
