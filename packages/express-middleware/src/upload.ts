/**
 * POST /: picks the upload kind by Content-Type. Each kind lives in its own module (upload-raw.ts,
 * upload-multipart.ts); what they share is in upload-answers.ts.
 */
import type { NextFunction, Request, Response } from 'express';
import type { ResolvedOptions } from './options.js';
import { handleMultipart } from './upload-multipart.js';
import { handleRawUpload } from './upload-raw.js';
import { VisitorMeter } from './visitor-meter.js';

export async function handleUpload(
  opts: ResolvedOptions,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const meter = new VisitorMeter(opts, opts.visitor(req), Date.now());
  const remaining = await meter.remaining();
  if (req.is('multipart/form-data')) {
    await handleMultipart(opts, req, res, next, meter, remaining);
  } else {
    await handleRawUpload(opts, req, res, next, meter, remaining);
  }
}
