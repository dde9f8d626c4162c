/**
 * What happens to a request body nobody will read, once the answer has gone out. Node's default is to read it
 * all and keep the connection (a 256 MiB body refused with 403 is still received in full); closing at once
 * makes the kernel send RST while the client is still writing, and many clients then lose the answer.
 * So: read and discard a bounded amount, then close. A client still waiting for `100 Continue` has sent
 * nothing: its connection closes right after the answer.
 */
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { forgoContinue } from './expect-continue.js';

/** How much of an unwanted body is read after answering, so the client sees the answer rather than a reset. */
export const DRAIN_CAP_BYTES = 4 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 5_000;

/** True when the request announced a body (chunked, or a non-zero Content-Length). */
export function announcesBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Call just before sending a refusal: marks the response `Connection: close` when the client is still waiting
 * for `100 Continue`, and returns what to do with the body after the answer is sent.
 */
export function prepareRefusal(req: IncomingMessage, res: Response): () => void {
  if (!announcesBody(req) || req.readableEnded) return () => {};
  if (forgoContinue(req)) {
    res.setHeader('Connection', 'close');
    return () => {};
  }
  return () => drainThenClose(req);
}

/**
 * Keeps reading and discarding the request up to a cap (or a timeout), then closes the socket. `alreadyRead`
 * counts bytes of this body read before the refusal, which the cap does not include.
 */
export function drainThenClose(req: IncomingMessage, alreadyRead = 0): void {
  if (req.complete && req.readableEnded) return;
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
