/**
 * POST /: picks the upload kind by Content-Type. Each kind lives in its own module (upload-raw.ts,
 * upload-multipart.ts); what they share is in upload-answers.ts and upload-limits.ts.
 */
import type { NextFunction, Request, Response } from 'express';
import type { ResolvedOptions } from './options.js';
import { handleMultipart } from './upload-multipart.js';
import { handleRawUpload } from './upload-raw.js';

export async function handleUpload(
  opts: ResolvedOptions,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  if (req.is('multipart/form-data')) await handleMultipart(opts, req, res, next);
  else await handleRawUpload(opts, req, res, next);
}
