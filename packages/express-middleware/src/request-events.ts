/**
 * Reports each request the router served on the `att:http:request` diagnostics channel when its response ends:
 * route, status, answered code, bytes and a keyed hash of the visitor. Nothing is measured, hashed or attached to
 * the response while nobody subscribes. The visitor key is usually an IP, personal data in most jurisdictions, so
 * it only leaves as an HMAC under a key that lives and dies with this middleware instance, unless the app opts in.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { AttError, HTTP_REQUEST_CHANNEL, type HttpRequestEvent } from '@att/store-core';
import type { Request, Response } from 'express';

const requests = channel(HTTP_REQUEST_CHANNEL);

/** The error code each response answered with, noted by `answerError` (only while somebody subscribes). */
const answered = new WeakMap<Response, string>();

export function noteAnsweredCode(res: Response, code: string): void {
  if (requests.hasSubscribers) answered.set(res, code);
}

export type ReportVisitor = 'hash' | 'raw';

export type RequestReporter = (route: string, req: Request, res: Response) => void;

export function createRequestReporter(
  visitor: (req: Request) => string,
  reportVisitor: ReportVisitor | undefined = 'hash',
): RequestReporter {
  if (reportVisitor !== 'hash' && reportVisitor !== 'raw') {
    throw new AttError('INVALID_CONFIG', "attachments(): reportVisitor must be 'hash' or 'raw'", {
      details: { field: 'reportVisitor' },
    });
  }
  const key = randomBytes(32);
  return (route, req, res) => {
    if (!requests.hasSubscribers) return;
    const since = performance.now();
    const { socket } = req;
    const readBefore = socket.bytesRead - bodyAlreadyRead(req);
    const declared = Number(req.headers['content-length']);
    const writtenBefore = socket.bytesWritten;
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      let visitorKey: string;
      try {
        visitorKey = visitor(req);
      } catch {
        visitorKey = 'unknown';
      }
      const completed = res.writableFinished;
      const code = answered.get(res) ?? (res.statusCode >= 500 || !completed ? failedCode(res, completed) : undefined);
      const event: HttpRequestEvent = {
        route,
        method: req.method,
        status: res.statusCode,
        ...(code === undefined ? {} : { code }),
        // A Content-Length body cannot be longer (the estimate of the first piece can only err upwards).
        bytesIn: Number.isFinite(declared)
          ? Math.min(declared, socket.bytesRead - readBefore)
          : socket.bytesRead - readBefore,
        bytesOut: socket.bytesWritten - writtenBefore,
        visitorHash: createHmac('sha256', key).update(visitorKey).digest('base64url').slice(0, 16),
        ...(reportVisitor === 'raw' ? { visitor: visitorKey } : {}),
        durationMs: Math.round((performance.now() - since) * 1000) / 1000,
        completed,
      };
      ended.set(socket, socket.bytesRead);
      requests.publish(event);
    };
    res.once('finish', report);
    res.once('close', report);
  };
}

/** Per connection, `bytesRead` when our last response on it ended: where a keep-alive request's bytes start. */
const ended = new WeakMap<object, number>();

/**
 * Body bytes the socket read before the handler ran: they arrived in the packet with the headers, and Node has
 * counted them in `bytesRead` but may not have handed them to `req` yet. The headers' length is rebuilt from
 * the raw headers (exact for the usual `Name: value` framing); requests without a body have none.
 */
function bodyAlreadyRead(req: Request): number {
  const { headers, socket } = req;
  if (!(Number(headers['content-length']) > 0 || headers['transfer-encoding'] !== undefined)) return 0;
  let headerBytes = `${req.method} ${req.originalUrl} HTTP/${req.httpVersion}\r\n\r\n`.length;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    headerBytes += (raw[i] as string).length + (raw[i + 1] as string).length + 4;
  return Math.max(0, socket.bytesRead - (ended.get(socket) ?? 0) - headerBytes);
}

function failedCode(res: Response, completed: boolean): string {
  // A response cut before its end is the client leaving (or the server failing mid-body): no JSON code was sent.
  if (!completed) return 'ABORTED';
  return res.statusCode >= 500 ? 'INTERNAL' : 'UNKNOWN';
}
