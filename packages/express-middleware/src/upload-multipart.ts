/**
 * multipart/form-data uploads (HTML forms, FormData): each file part streams into the store as it is parsed
 * (never buffered, never a temp dir); text fields are kept, bounded, and handed to `onStored`. All or nothing:
 * the first failing file stops the request and removes the files already stored.
 */
import type { Readable } from 'node:stream';
import { AttError } from '@att/store-core';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { sendContinue } from './expect-continue.js';
import { sanitizeFilename, unescapeFormDataFilename } from './filename.js';
import { answerError } from './http-error.js';
import type { FormFields, ResolvedOptions, StoredAttachment } from './options.js';
import { storeFile } from './store-file.js';
import {
  abortOnDisconnect,
  answerFor,
  declaredLength,
  notifyStored,
  removeStored,
  sendCreated,
} from './upload-answers.js';
import { multipartTooLarge, prepareUpload } from './upload-limits.js';
import { uploadBudgets } from './visitor-budgets.js';

/**
 * Bytes of a multipart body that are neither file data nor counted fields yet: busboy holds back a possible
 * boundary, and a file stream may hold a chunk its reader has not taken. Allowed on top of `fieldsSizeLimit`
 * so the bound never cuts a body that is within it.
 */
const PARSER_SLACK_BYTES = 512 * 1024;
/** Longest field name kept; longer ones fail the request like an over-long value. */
const FIELD_NAME_BYTES = 200;

export async function handleMultipart(
  opts: ResolvedOptions,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const refused = multipartTooLarge(declaredLength(req), opts);
  if (refused) {
    answerError(opts.onError, req, res, refused);
    return;
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // 256 KiB rather than busboy's 16 KiB default: fewer, bigger chunks through the parser and the store. Measured
      // at 8 concurrent 1 MiB uploads: 64 KiB cost about 15 % more CPU per GiB for a peak RSS within noise.
      highWaterMark: 256 * 1024,
      fileHwm: 256 * 1024,
      limits: {
        files: opts.maxFiles,
        fields: 100,
        fieldSize: opts.fieldsSizeLimit,
        fieldNameSize: FIELD_NAME_BYTES,
        parts: opts.maxFiles + 100,
        headerPairs: 100,
      },
    });
  } catch {
    answerError(opts.onError, req, res, new AttError('INVALID_REQUEST', 'malformed multipart/form-data request'));
    return;
  }
  sendContinue(req);

  const controller = abortOnDisconnect(req);
  // One set of budgets for every file, so a failed request gives back exactly what its files kept.
  const budgets = uploadBudgets(opts, opts.visitor(req), Date.now());
  const stored: StoredAttachment[] = [];
  const pending: Promise<void>[] = [];
  const openStreams = new Set<Readable>();
  const fields: FormFields = Object.create(null);
  let failure: unknown;
  let fileCount = 0;
  // Everything read from the request, and the part of it that was file data: the difference is boundaries,
  // part headers, fields, preamble and epilogue, which busboy reads without limit unless we count them.
  let bodyBytes = 0;
  let fileBytes = 0;
  let fieldBytes = 0;

  // Resolves when parsing is over: the parser closed, or a failure or disconnect means no more input matters.
  let finish!: () => void;
  const parsed = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const fail = (err: unknown) => {
    if (failure !== undefined) return;
    failure = err;
    req.unpipe(parser);
    req.off('data', countBody);
    for (const stream of openStreams) stream.resume();
    finish();
  };
  const fieldsTooLarge = () =>
    new AttError('TOO_LARGE', `form fields larger than ${opts.fieldsSizeLimit} bytes`, {
      details: { limit: opts.fieldsSizeLimit },
    });
  const countFileBytes = (bytes: number) => {
    fileBytes += bytes;
  };
  const countBody = (chunk: Buffer) => {
    bodyBytes += chunk.length;
    let buffered = 0;
    for (const stream of openStreams) buffered += stream.readableLength;
    if (bodyBytes - fileBytes - buffered > opts.fieldsSizeLimit + PARSER_SLACK_BYTES) fail(fieldsTooLarge());
  };
  controller.signal.addEventListener('abort', () => {
    for (const stream of openStreams) stream.destroy(controller.signal.reason as Error);
    finish();
  });

  parser.on('field', (name, value, info) => {
    if (failure !== undefined) return;
    fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (info.nameTruncated || info.valueTruncated || fieldBytes > opts.fieldsSizeLimit) {
      fail(fieldsTooLarge());
      return;
    }
    const before = fields[name];
    fields[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
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
          // busboy has parsed the part header; the name is cleaned afterwards like any other client filename.
          filename: sanitizeFilename(unescapeFormDataFilename(info.filename)),
          claimedType: info.mimeType,
          // Browsers send an empty, nameless part for a file input left empty: no file, nothing to store.
          skipIfEmpty: info.filename === undefined,
          // Counted by the store's reader as it takes each chunk (until then the stream is paused and its buffer
          // counts as `readableLength`); a second 'data' listener would make every chunk's emit copy the list.
          onRead: countFileBytes,
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
  req.on('data', countBody);
  await parsed;
  req.off('data', countBody);
  // Settle every file write before answering, so nothing is left half-written behind the response.
  while (pending.length > 0) await Promise.all(pending.splice(0));
  // `stored` is indexed by part, with holes for skipped and failed parts.
  const files = stored.filter(Boolean);

  // Bytes that were not file data crossed the wire too: they count against the visitor's bandwidth (the
  // files' bytes were charged by their writes).
  const bandwidth = budgets.filter((b) => b.keeps === 'received');
  const chargeOverhead = () => opts.store.charge(bandwidth, Math.max(0, bodyBytes - fileBytes));
  if (controller.signal.aborted) {
    await chargeOverhead().catch(() => {});
    await removeStored(opts, files, budgets);
    return;
  }
  if (failure === undefined) {
    try {
      await chargeOverhead();
    } catch (err) {
      failure = err;
    }
  } else {
    await chargeOverhead().catch(() => {});
  }
  if (failure === undefined && files.length === 0) {
    failure = new AttError('INVALID_REQUEST', 'no file in multipart/form-data body');
  }
  if (failure !== undefined) {
    await removeStored(opts, files, budgets);
    if (!answerError(opts.onError, req, res, failure)) next(failure);
    return;
  }
  if (!(await notifyStored(opts, req, files, fields, next, budgets))) return;
  const answers = files.map((a) => answerFor(opts, req, a));
  sendCreated(res, (answers[0] as { url: string }).url, { files: answers, fields });
}
