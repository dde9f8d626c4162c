/**
 * multipart/form-data uploads (HTML forms, FormData): each file part streams into the store as it is parsed.
 */
import type { Readable } from 'node:stream';
import { AttError } from '@att/store-core';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { sanitizeFilename, unescapeFormDataFilename } from './filename.js';
import { answerFailure, drainThenClose, sendAttError } from './http-error.js';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { stripControlCharsFromPartHeaders } from './part-headers.js';
import { storeFile } from './store-file.js';
import { abortOnDisconnect, answerFor, declaredLength, notifyStored, removeStored } from './upload-answers.js';
import { multipartTooLarge, prepareUpload } from './upload-limits.js';
import { uploadBudgets } from './visitor-budgets.js';

/**
 * multipart/form-data: every file part streams straight into the store (never buffered, never a temp dir).
 * All or nothing: the first failing file stops the request and removes the files already stored.
 */
export async function handleMultipart(
  opts: ResolvedOptions,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const refused = multipartTooLarge(declaredLength(req), opts);
  if (refused) {
    sendAttError(res, refused);
    drainThenClose(req);
    return;
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // Larger buffers than busboy's 16 KiB default: fewer, bigger chunks and less pausing of the socket.
      highWaterMark: 256 * 1024,
      fileHwm: 256 * 1024,
      limits: { files: opts.maxFiles, fields: 100, fieldSize: 64 * 1024, parts: opts.maxFiles + 100, headerPairs: 100 },
    });
    stripControlCharsFromPartHeaders(parser);
  } catch {
    sendAttError(res, new AttError('INVALID_REQUEST', 'malformed multipart/form-data request'));
    drainThenClose(req);
    return;
  }

  const controller = abortOnDisconnect(req);
  // One set of budgets for every file, so a failed request gives back exactly what its files kept.
  const budgets = uploadBudgets(opts, opts.visitor(req), Date.now());
  const stored: StoredAttachment[] = [];
  const pending: Promise<void>[] = [];
  const openStreams = new Set<Readable>();
  let failure: unknown;
  let fileCount = 0;

  // Resolves when parsing is over: the parser closed, or a failure or disconnect means no more input matters.
  let finish!: () => void;
  const parsed = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const fail = (err: unknown) => {
    if (failure !== undefined) return;
    failure = err;
    req.unpipe(parser);
    for (const stream of openStreams) stream.resume();
    finish();
  };
  controller.signal.addEventListener('abort', () => {
    for (const stream of openStreams) stream.destroy(controller.signal.reason as Error);
    finish();
  });

  parser.on('file', (_field, stream, info) => {
    fileCount++;
    if (failure !== undefined) {
      stream.resume();
      return;
    }
    openStreams.add(stream);
    stream.once('close', () => openStreams.delete(stream));
    const index = fileCount - 1;
    const task = prepareUpload(opts, budgets, controller.signal)
      .then((pending) =>
        storeFile(pending, {
          source: stream,
          filename: sanitizeFilename(unescapeFormDataFilename(info.filename)),
          claimedType: info.mimeType,
          // Browsers send an empty, nameless part for a file input left empty: no file, nothing to store.
          skipIfEmpty: info.filename === undefined,
        }),
      )
      .then(
        (attachment) => {
          if (attachment) stored[index] = attachment;
        },
        (err) => {
          stream.resume();
          fail(err);
        },
      );
    pending.push(task);
  });
  parser.on('filesLimit', () => fail(new AttError('INVALID_REQUEST', `at most ${opts.maxFiles} files per request`)));
  parser.on('partsLimit', () => fail(new AttError('INVALID_REQUEST', 'too many parts in multipart request')));
  parser.on('fieldsLimit', () => fail(new AttError('INVALID_REQUEST', 'too many fields in multipart request')));

  parser.once('close', finish);
  parser.once('error', () => fail(new AttError('INVALID_REQUEST', 'malformed multipart/form-data body')));
  req.pipe(parser);
  await parsed;
  // Settle every file write before answering, so nothing is left half-written behind the response.
  while (pending.length > 0) await Promise.all(pending.splice(0));
  // `stored` is indexed by part, with holes for skipped and failed parts.
  const files = stored.filter(Boolean);

  if (controller.signal.aborted) {
    await removeStored(opts, files, budgets);
    return;
  }
  if (failure === undefined && files.length === 0) {
    failure = new AttError('INVALID_REQUEST', 'no file in multipart/form-data body');
  }
  if (failure !== undefined) {
    await removeStored(opts, files, budgets);
    if (!answerFailure(opts.onError, req, res, failure)) next(failure);
    drainThenClose(req);
    return;
  }
  if (!(await notifyStored(opts, req, files, next, budgets))) return;
  const answers = files.map((a) => answerFor(opts, req, a));
  res.status(201).json(answers.length === 1 ? answers[0] : answers);
}
