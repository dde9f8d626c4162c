/**
 * multipart/form-data uploads (HTML forms, FormData): each file part streams into the store as it is parsed
 * (never buffered, never a temp dir); text fields are kept, bounded, and handed to `onStored`. All or nothing:
 * the first failing file stops the request and removes the files already stored.
 */
import { AttError } from '@att/store-core';
import type { NextFunction, Request, Response } from 'express';
import { sendContinue } from './expect-continue.js';
import { sanitizeFilename, unescapeFormDataFilename } from './filename.js';
import { FormFieldCollector } from './form-fields.js';
import { answerError } from './http-error.js';
import { multipartBoundary, type PartInfo } from './multipart-headers.js';
import { MultipartParser } from './multipart-parser.js';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { PartReader } from './part-reader.js';
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
 * Bytes of a multipart body that are neither file data nor counted fields: delimiters, part headers (up to
 * 16 KiB each), preamble and epilogue. Allowed on top of `fieldsSizeLimit` so the bound never cuts a body
 * that is within it, while a body of endless non-file bytes is still cut early.
 */
const PARSER_SLACK_BYTES = 512 * 1024;
/**
 * File bytes queued per part before the request is paused. Pausing and resuming a socket costs a few system
 * calls and ticks each time; at 128 KiB a 1 MiB upload paused about 2.5 times and the server spent ~5 % more CPU
 * per GiB than at 512 KiB (bench, 8 concurrent uploads): 8 uploads at the bound are 4 MiB.
 */
const PART_QUEUE_BYTES = 512 * 1024;
/** Parts allowed beyond the `maxFiles` files: text fields (at most 100) and parts of no form control. */
const EXTRA_PARTS = 100;

const ignore = (): void => {};

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
  const boundary = multipartBoundary(req.headers['content-type']);
  if (boundary === undefined) {
    answerError(opts.onError, req, res, new AttError('INVALID_REQUEST', 'malformed multipart/form-data request'));
    return;
  }
  sendContinue(req);

  const controller = abortOnDisconnect(req);
  // One set of budgets for every file, so a failed request gives back exactly what its files kept.
  const budgets = uploadBudgets(opts, opts.visitor(req), Date.now());
  const stored: StoredAttachment[] = [];
  const pending: Promise<void>[] = [];
  const readers = new Set<PartReader>();
  /** Readers over their bound: the request is paused while there is any. */
  const full = new Set<PartReader>();
  const fields = new FormFieldCollector(opts.fieldsSizeLimit);
  let failure: unknown;
  let fileCount = 0;
  // Everything read from the request, what was handed to file parts, and what the store took of it: the rest
  // is delimiters, part headers, fields, preamble and epilogue, read and charged but never stored.
  let bodyBytes = 0;
  let handedBytes = 0;
  let fileBytes = 0;
  /** Where the current part's bytes go: a file's reader, the field collector, or nowhere. */
  let current: PartReader | 'field' | undefined;

  // Resolves when parsing is over: the body ended, or a failure or disconnect means no more input matters.
  let finish!: () => void;
  const parsed = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const detach = () => {
    req.off('data', onChunk);
    req.off('end', onEnd);
  };
  const fail = (err: unknown) => {
    if (failure !== undefined) return;
    failure = err;
    detach();
    // Not another byte until the answer: a flowing request without listeners would read (and drop) the body
    // as fast as the client sends it while the stored files are removed. The refusal's bounded drain resumes it.
    req.pause();
    // Parts still streaming cannot complete: their writes are cancelled (no partial object) by this error.
    for (const reader of readers) reader.fail(err);
    finish();
  };
  const readerEvents = {
    taken: (bytes: number) => {
      fileBytes += bytes;
    },
    drained: (reader: PartReader) => {
      full.delete(reader);
      if (full.size === 0 && failure === undefined) req.resume();
    },
  };

  const startFile = (info: PartInfo) => {
    if (++fileCount > opts.maxFiles)
      throw new AttError('INVALID_REQUEST', `at most ${opts.maxFiles} files per request`);
    const reader = new PartReader(PART_QUEUE_BYTES, readerEvents);
    readers.add(reader);
    current = reader;
    const index = fileCount - 1;
    const task = prepareUpload(opts, budgets, controller.signal)
      .then((pending) =>
        storeFile(pending, {
          source: reader,
          // The name is cleaned like any other client filename.
          filename: sanitizeFilename(unescapeFormDataFilename(info.filename)),
          claimedType: info.contentType,
          // Browsers send an empty, nameless part for a file input left empty: no file, nothing to store.
          skipIfEmpty: info.filename === undefined,
        }),
      )
      .then(
        (attachment) => {
          if (attachment) stored[index] = attachment;
        },
        (err) => fail(err),
      )
      .finally(() => {
        readers.delete(reader);
        void reader.return();
      });
    pending.push(task);
  };
  const parser = new MultipartParser(
    boundary,
    {
      partStart: (info) => {
        if (info.kind === 'file') startFile(info);
        else if (info.kind === 'field') {
          fields.start(info);
          current = 'field';
        } else current = undefined;
      },
      partData: (bytes) => {
        if (current === 'field') fields.add(bytes);
        else if (current !== undefined) {
          handedBytes += bytes.length;
          if (current.push(bytes)) {
            full.add(current);
            req.pause();
          }
        }
      },
      partEnd: () => {
        if (current === 'field') fields.end();
        else current?.end();
        current = undefined;
      },
    },
    { maxParts: opts.maxFiles + EXTRA_PARTS },
  );
  const overheadLimit = opts.fieldsSizeLimit + PARSER_SLACK_BYTES;
  const onChunk = (chunk: Buffer) => {
    bodyBytes += chunk.length;
    try {
      parser.write(chunk);
    } catch (err) {
      fail(err);
      return;
    }
    if (bodyBytes - handedBytes > overheadLimit) fail(fields.tooLarge());
  };
  const onEnd = () => {
    try {
      parser.end();
    } catch (err) {
      fail(err);
    }
    finish();
  };
  controller.signal.addEventListener('abort', () => {
    for (const reader of readers) reader.fail(controller.signal.reason);
    finish();
  });

  // A client's reset must not become an uncaught 'error': the disconnect is handled through 'close'.
  req.on('error', ignore);
  req.on('data', onChunk);
  req.once('end', onEnd);
  await parsed;
  detach();
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
  if (!(await notifyStored(opts, req, files, fields.values, next, budgets))) return;
  const answers = files.map((a) => answerFor(opts, req, a));
  sendCreated(res, (answers[0] as { url: string }).url, { files: answers, fields: fields.values });
}
