/**
 * Raw uploads: the request body is the file (`curl -T`, `fetch(url, { body: file })`), named by `?filename=`,
 * a `Filename` header or Content-Disposition.
 */
import { AttError } from '@att/store-core';
import type { NextFunction, Request, Response } from 'express';
import { parseContentDispositionFilename } from './content-disposition.js';
import { sendContinue } from './expect-continue.js';
import { decodeHeaderText, sanitizeFilename } from './filename.js';
import { answerError } from './http-error.js';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { drainThenClose } from './refuse-body.js';
import { storeFile } from './store-file.js';
import { abortOnDisconnect, answerFor, declaredLength, notifyStored, sendCreated } from './upload-answers.js';
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
  if (size === 0) throw emptyBody();
  const controller = abortOnDisconnect(req);
  const budgets = uploadBudgets(opts, opts.visitor(req), Date.now());
  let attachment: StoredAttachment | undefined;
  try {
    // Refused here (over a limit, store full) before any byte of the body is read.
    const pending = await prepareUpload(opts, budgets, controller.signal, size);
    sendContinue(req);
    attachment = await storeFile(pending, {
      source: req,
      filename: sanitizeFilename(rawFilename(req)),
      claimedType: req.get('content-type'),
      // A chunked body can still turn out empty: refused like an empty Content-Length, nothing stored.
      skipIfEmpty: true,
    });
  } catch (err) {
    if (controller.signal.aborted) return; // nobody is left to answer
    if (!answerError(opts.onError, req, res, err)) {
      drainThenClose(req);
      next(err);
    }
    return;
  }
  if (!attachment) throw emptyBody();
  if (!(await notifyStored(opts, req, [attachment], {}, next, budgets))) return;
  const answer = answerFor(opts, req, attachment);
  sendCreated(res, answer.url, answer);
}

/** An empty POST is a client mistake (a form sent without its file), not a 0-byte attachment. */
function emptyBody(): AttError {
  return new AttError('INVALID_REQUEST', 'empty upload: the request has no body');
}
