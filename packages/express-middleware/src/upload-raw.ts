/**
 * Raw uploads: the request body is the file (`curl -T`, `fetch(url, { body: file })`), named by `?filename=`,
 * a `Filename` header or Content-Disposition.
 */
import type { NextFunction, Request, Response } from 'express';
import { parseContentDispositionFilename } from './content-disposition.js';
import { decodeHeaderText, sanitizeFilename } from './filename.js';
import { answerFailure, drainThenClose } from './http-error.js';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { storeFile } from './store-file.js';
import { abortOnDisconnect, answerFor, declaredLength, notifyStored } from './upload-answers.js';
import { prepareUpload } from './upload-limits.js';
import { uploadBudgets } from './visitor-budgets.js';

/** Query `?filename=`, then `Filename` (or ntfy's `X-Filename`) header, then Content-Disposition. */
function rawFilename(req: Request): string | undefined {
  const query = req.query.filename;
  if (typeof query === 'string' && query !== '') return query;
  const header = req.get('filename') ?? req.get('x-filename');
  if (header) return decodeHeaderText(header);
  const disposition = req.get('content-disposition');
  return disposition ? parseContentDispositionFilename(decodeHeaderText(disposition)) : undefined;
}

export async function handleRawUpload(
  opts: ResolvedOptions,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const size = declaredLength(req);
  const controller = abortOnDisconnect(req);
  const budgets = uploadBudgets(opts, opts.visitor(req), Date.now());
  let attachment: StoredAttachment | undefined;
  try {
    // Refused here (over a limit, store full) before any byte of the body is read.
    const pending = await prepareUpload(opts, budgets, controller.signal, size);
    attachment = await storeFile(pending, {
      source: req,
      filename: sanitizeFilename(rawFilename(req)),
      claimedType: req.get('content-type'),
    });
  } catch (err) {
    if (controller.signal.aborted) return; // nobody is left to answer
    const answered = answerFailure(opts.onError, req, res, err);
    drainThenClose(req);
    if (!answered) next(err);
    return;
  }
  if (!attachment) throw new Error('unreachable: raw uploads are never skipped');
  if (!(await notifyStored(opts, req, [attachment], next, budgets))) return;
  res.status(201).json(answerFor(opts, req, attachment));
}
