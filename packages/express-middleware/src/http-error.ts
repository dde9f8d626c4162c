/**
 * Every error answer of the router: `{ error: { code, message } }` with `Cache-Control: no-store`, a status
 * per code, and messages that never carry backend text (hosts, bucket names, S3 codes). Server-side failures get
 * a request id, in the answer and in `onError`, so a user's report can be matched with the log.
 */
import { randomBytes } from 'node:crypto';
import { AttError, isAttError } from '@att/store-core';
import type { Request, Response } from 'express';
import { prepareRefusal } from './refuse-body.js';
import { noteAnsweredCode } from './request-events.js';

/** What `onError` is told besides the error: the id the client was shown. */
export interface ErrorContext {
  requestId: string;
}

export type OnError = (err: unknown, req: Request, context?: ErrorContext) => void;

/** Codes that mean "storage is down": always 503, never a 404 that would hide an outage. */
const OUTAGE_CODES = new Set(['BACKEND_UNAVAILABLE', 'TIMEOUT', 'BACKEND_ERROR', 'STATE_UNAVAILABLE', 'ACCESS_DENIED']);

/** Status for an AttError code as this HTTP API documents it. */
export function httpStatusFor(err: { code: string; status: number }): number {
  if (OUTAGE_CODES.has(err.code)) return 503; // ACCESS_DENIED: the backend refused *us*, an outage for the client
  if (err.code === 'SIZE_MISMATCH') return 400;
  return err.status >= 400 && err.status < 600 ? err.status : 500;
}

/**
 * Messages the client sees where the error's own message may hold backend text. Other codes are raised by the
 * middleware or the Store with messages written for clients (limits, ids, ranges).
 */
const PUBLIC_MESSAGES: Partial<Record<string, string>> = {
  NOT_FOUND: 'attachment not found',
  STATE_UNAVAILABLE: 'uploads are paused: the shared limits store is unavailable, try again later',
  NOT_IMPLEMENTED: 'direct uploads need a storage backend that presigns URLs (S3); this one does not',
};

function publicMessage(err: AttError, status: number): string {
  if (err.code === 'STATE_UNAVAILABLE' || err.code === 'NOT_IMPLEMENTED') return PUBLIC_MESSAGES[err.code] as string;
  if (status >= 500) return status === 503 ? 'storage unavailable' : 'internal error';
  return PUBLIC_MESSAGES[err.code] ?? err.message;
}

function newRequestId(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * Answers `err` if it is an AttError and the response can still carry it, then deals with a pending request body
 * (bounded drain, or close). Server-side failures (5xx) go to `onError` with the request id the client got.
 * Returns false, answering nothing, for other errors (the caller hands those to `next`).
 */
export function answerError(
  onError: OnError | undefined,
  req: Request,
  res: Response,
  err: unknown,
  extraHeaders: Record<string, string> = {},
): boolean {
  if (!isAttError(err) || res.headersSent) return false;
  const status = httpStatusFor(err);
  // ACCESS_DENIED is the backend refusing *us*: for the client, the same outage as any other.
  const code = err.code === 'ACCESS_DENIED' || err.code === 'BACKEND_ERROR' ? 'BACKEND_UNAVAILABLE' : err.code;
  const body: { code: string; message: string; requestId?: string } = { code, message: publicMessage(err, status) };
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  const retryAfter = err.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
  if (status >= 500) {
    body.requestId = newRequestId();
    res.setHeader('X-Request-Id', body.requestId);
  }
  noteAnsweredCode(res, code);
  const afterAnswer = prepareRefusal(req, res);
  res.status(status).json({ error: body });
  afterAnswer();
  if (body.requestId !== undefined) onError?.(err, req, { requestId: body.requestId });
  return true;
}

/** The error for a request body that another middleware (a body parser mounted first) has read or is reading. */
export function bodyConsumedError(): AttError {
  return new AttError(
    'BODY_CONSUMED',
    'the request body was already read by another middleware (express.json(), express.urlencoded(), ' +
      'express.text() or express.raw() mounted before attachments()); mount attachments() before any body parser ' +
      'or limit the parser to other paths',
  );
}
