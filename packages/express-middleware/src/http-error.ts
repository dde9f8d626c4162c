import type { IncomingMessage } from 'node:http';
import { isAttError } from '@att/store-core';
import type { Request, Response } from 'express';

/** Codes that mean "storage is down": always 503, never a 404 that would hide an outage. */
const OUTAGE_CODES = new Set(['BACKEND_UNAVAILABLE', 'TIMEOUT', 'BACKEND_ERROR']);

/** Status for an AttError code as this HTTP API documents it. */
export function httpStatusFor(err: { code: string; status: number }): number {
  if (OUTAGE_CODES.has(err.code)) return 503;
  if (err.code === 'ACCESS_DENIED') return 503; // the backend refused *us*: an outage for the client
  if (err.code === 'SIZE_MISMATCH') return 400;
  return err.status >= 400 && err.status < 600 ? err.status : 500;
}

/** Client-safe messages for server-side failures: backend details (hosts, keys, S3 codes) stay in logs. */
const PUBLIC_MESSAGES: Record<number, string> = {
  503: 'storage backend unavailable, try again later',
  500: 'internal error',
};

/** Writes `{ error: { code, message } }`; returns false when the response can no longer carry it. */
export function sendAttError(res: Response, err: unknown, extraHeaders: Record<string, string> = {}): boolean {
  if (!isAttError(err) || res.headersSent) return false;
  const status = httpStatusFor(err);
  const code = err.code === 'ACCESS_DENIED' ? 'BACKEND_UNAVAILABLE' : err.code;
  const message = PUBLIC_MESSAGES[status] ?? err.message;
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.status(status).json({ error: { code, message } });
  return true;
}

/**
 * Answers a known failure as `sendAttError` does and reports server-side ones (5xx) to `onError`; returns false,
 * reporting nothing, when the failure is not ours to answer (the caller hands it to `next`).
 */
export function answerFailure(
  onError: ((err: unknown, req: Request) => void) | undefined,
  req: Request,
  res: Response,
  err: unknown,
): boolean {
  if (!sendAttError(res, err)) return false;
  if (res.statusCode >= 500) onError?.(err, req);
  return true;
}

/** How much of an unwanted body we read after answering, so the client sees the answer rather than a reset. */
export const DRAIN_CAP_BYTES = 4 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * After an early answer (413 before or during the body): keep reading and discarding the request up to a
 * cap, then close the socket. Closing at once would make the kernel send RST while the client is still
 * writing, and many clients then lose the response they were already sent.
 */
export function drainThenClose(req: IncomingMessage, alreadyRead = 0): void {
  if (req.complete) return;
  let read = alreadyRead;
  const close = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.socket?.destroy();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > alreadyRead + DRAIN_CAP_BYTES) close();
  };
  const timer = setTimeout(close, DRAIN_TIMEOUT_MS);
  timer.unref();
  req.on('data', onData);
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.on('error', () => {});
  req.resume();
}
