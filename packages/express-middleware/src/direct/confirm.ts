/**
 * `POST <mount>/s3/confirm/:key`: a single presigned PUT is done (the page calls it from Uppy's `upload-success`).
 * The object is checked against what was signed and charged (publish.ts); the answer is att's usual 201.
 */
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import { answerFor, sendCreated } from '../upload-answers.js';
import { type DirectContext, issuedUpload } from './context.js';
import { assertUploaded, publish } from './publish.js';

export async function handleConfirm(ctx: DirectContext, req: Request, res: Response, key: string): Promise<void> {
  const record = await issuedUpload(ctx, key);
  if (record.uploadId !== undefined) {
    throw new AttError('INVALID_REQUEST', 'a multipart upload is confirmed by completing it');
  }
  await assertUploaded(ctx, record);
  const attachment = await publish(ctx, req, record);
  const answer = answerFor(ctx.opts, req, attachment);
  sendCreated(res, answer.url, answer);
}
