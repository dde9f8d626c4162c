/**
 * Where the middleware's server-side failures go: the logger (pino-shaped, redacted by store-core's attLogger),
 * then the app's `onError` if it gave one (kept for apps written before `logger`). A 5xx answered to a client is
 * logged at error level with the request id the client was shown; a problem no client saw at warn level.
 */
import { type AttLogger, attLogger, type Logger } from '@att/store-core';
import type { Request } from 'express';
import type { ErrorContext, OnError } from './http-error.js';

export function createErrorReporter(
  logger: Logger | undefined,
  storeLogger: AttLogger | undefined,
  onError: OnError | undefined,
): OnError {
  const log = logger ? attLogger(logger) : (storeLogger ?? attLogger());
  return (err: unknown, req: Request, context?: ErrorContext) => {
    // The path without its query string: queries may carry tokens (redaction would catch the usual names anyway).
    const request = { method: req.method, path: `${req.baseUrl}${req.path}` };
    if (context) log.error({ err, requestId: context.requestId, req: request }, 'attachments request failed');
    else log.warn({ err, req: request }, 'attachments: a problem no client saw');
    onError?.(err, req, context);
  };
}
