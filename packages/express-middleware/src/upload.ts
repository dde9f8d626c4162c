import { AttError } from '@att/store-core';
import type { NextFunction, Request, Response } from 'express';
import { parseContentDispositionFilename } from './content-disposition.js';
import { decodeHeaderText, sanitizeFilename } from './filename.js';
import { answerFailure, drainThenClose, sendAttError } from './http-error.js';
import { generateId } from './id.js';
import { handleMultipart } from './multipart.js';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { storeFile } from './store-file.js';
import { VisitorMeter } from './visitor-meter.js';

export interface UploadAnswer {
  id: string;
  url: string;
  name: string;
  type: string;
  size: number;
  /** Unix time in seconds (as ntfy's attachment JSON), or null for attachments that never expire. */
  expires: number | null;
}

export function answerFor(opts: ResolvedOptions, req: Request, attachment: StoredAttachment): UploadAnswer {
  const base = opts.publicUrl ?? `${req.protocol}://${req.get('host')}${req.baseUrl}`;
  return {
    id: attachment.id,
    url: `${base}/${attachment.id}`,
    name: attachment.filename ?? 'attachment',
    type: attachment.contentType,
    size: attachment.size,
    expires: attachment.expiresAt ? Math.floor(attachment.expiresAt.getTime() / 1000) : null,
  };
}

/** Query `?filename=`, then `Filename` (or ntfy's `X-Filename`) header, then Content-Disposition. */
function rawFilename(req: Request): string | undefined {
  const query = req.query.filename;
  if (typeof query === 'string' && query !== '') return query;
  const header = req.get('filename') ?? req.get('x-filename');
  if (header) return decodeHeaderText(header);
  const disposition = req.get('content-disposition');
  return disposition ? parseContentDispositionFilename(decodeHeaderText(disposition)) : undefined;
}

/** Declared body length, or undefined for chunked bodies. */
export function declaredLength(req: Request): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined || req.headers['transfer-encoding'] !== undefined || !/^\d{1,15}$/.test(value)) {
    return undefined;
  }
  return Number(value);
}

/** The error a body of `bytes` would hit, checked before reading it (the first limit wins, as in ntfy). */
export function limitErrorFor(
  bytes: number,
  opts: ResolvedOptions,
  remaining: { total: number; bandwidth: number },
  requestLimit = opts.fileSizeLimit,
): AttError | undefined {
  if (bytes > requestLimit) {
    return new AttError('TOO_LARGE', `file larger than ${opts.fileSizeLimit} bytes`);
  }
  if (bytes > remaining.total) return new AttError('TOO_LARGE', 'visitor attachment size limit reached');
  if (bytes > remaining.bandwidth) return new AttError('RATE_LIMITED', 'daily bandwidth limit reached');
  const storeRemaining = opts.store.remaining;
  if (typeof storeRemaining === 'number' && bytes > storeRemaining) {
    return new AttError('QUOTA_EXCEEDED', 'attachment store is full');
  }
  return undefined;
}

/**
 * Besides its files, a multipart body carries boundaries, part headers and form fields (read, never stored).
 * Declared lengths beyond the files' limits by more than this are refused before reading.
 */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** The early error for a multipart body of `declared` bytes: at most `maxFiles` files, each within the limits. */
export function multipartLimitErrorFor(
  declared: number | undefined,
  opts: ResolvedOptions,
  remaining: { total: number; bandwidth: number },
): AttError | undefined {
  if (declared === undefined) return undefined;
  const payload = Math.max(0, declared - MULTIPART_OVERHEAD_BYTES);
  return limitErrorFor(payload, opts, remaining, opts.maxFiles * opts.fileSizeLimit);
}

/** The error for a visitor with nothing left at all (refused before any byte, whatever the body's size). */
export function exhausted(remaining: { total: number; bandwidth: number }): AttError | undefined {
  if (remaining.total <= 0) return new AttError('TOO_LARGE', 'visitor attachment size limit reached');
  if (remaining.bandwidth <= 0) return new AttError('RATE_LIMITED', 'daily bandwidth limit reached');
  return undefined;
}

/** Cancels the store write when the client goes away before its body is complete. */
export function abortOnDisconnect(req: Request): AbortController {
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort(new AttError('ABORTED', 'client disconnected during upload'));
  });
  return controller;
}

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
    return;
  }

  const size = declaredLength(req);
  const early = limitErrorFor(size ?? 0, opts, remaining) ?? exhausted(remaining);
  if (early) {
    sendAttError(res, early);
    drainThenClose(req);
    return;
  }

  const controller = abortOnDisconnect(req);
  const id = generateId();
  let attachment: StoredAttachment | undefined;
  try {
    attachment = await storeFile(
      opts,
      id,
      {
        source: req,
        filename: sanitizeFilename(rawFilename(req)),
        claimedType: req.get('content-type'),
        ...(size === undefined ? {} : { size }),
      },
      remaining,
      meter,
      controller.signal,
    );
  } catch (err) {
    if (controller.signal.aborted) return; // nobody is left to answer
    const answered = answerFailure(opts.onError, req, res, err);
    drainThenClose(req);
    if (!answered) next(err);
    return;
  }
  if (!attachment) throw new Error('unreachable: raw uploads are never skipped');
  if (!(await notifyStored(opts, req, [attachment], next))) return;
  res.status(201).json(answerFor(opts, req, attachment));
}

/** Runs `onStored` for each file; if it throws, the upload is undone and the error goes to `next`. */
export async function notifyStored(
  opts: ResolvedOptions,
  req: Request,
  attachments: StoredAttachment[],
  next: NextFunction,
): Promise<boolean> {
  if (!opts.onStored) return true;
  try {
    for (const attachment of attachments) await opts.onStored(attachment, req);
    return true;
  } catch (err) {
    await opts.store.remove(...attachments.map((a) => a.id)).catch(() => {});
    next(err);
    return false;
  }
}
