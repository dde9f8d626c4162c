/**
 * What raw and multipart uploads share: the 201 body, the declared length, cancelling on disconnect and the
 * `onStored` hook. Both upload kinds import this module; it imports neither, so there is no cycle.
 */
import { AttError, type Budget } from '@att/store-core';
import type { NextFunction, Request, Response } from 'express';
import type { FormFields, ResolvedOptions, StoredAttachment } from './options.js';

export interface UploadAnswer {
  id: string;
  url: string;
  name: string;
  type: string;
  size: number;
  /** Unix time in seconds (as ntfy's attachment JSON), or null for attachments that never expire. */
  expires: number | null;
  /** With `ownerDelete`: send as `Authorization: Bearer <deleteToken>` to delete this attachment. */
  deleteToken?: string;
}

/**
 * `url` is absolute only under `publicUrl`: the request's Host header is the client's to forge, so a URL built
 * from it could point a reader of the answer (a chat message, a log) anywhere. Without `publicUrl` it is the
 * path under this host, which every client resolves against the URL it posted to.
 */
export function answerFor(opts: ResolvedOptions, req: Request, attachment: StoredAttachment): UploadAnswer {
  const base = opts.publicUrl ?? req.baseUrl;
  return {
    id: attachment.id,
    url: `${base}/${attachment.id}`,
    name: attachment.filename ?? 'attachment',
    type: attachment.contentType,
    size: attachment.size,
    expires: attachment.expiresAt ? Math.floor(attachment.expiresAt.getTime() / 1000) : null,
    ...(opts.ownerTokens ? { deleteToken: opts.ownerTokens.tokenFor(attachment.id) } : {}),
  };
}

/**
 * The 201: `Location` names the (first) new attachment; the body is whatever the upload kind answers. Written
 * directly rather than through Express's `res.json`: its `send` hashes every body for an ETag (a hash object per
 * upload, ~60 µs in a profile of 1 MiB uploads) and checks freshness, neither of which means anything for a POST.
 */
export function sendCreated(res: Response, location: string, body: unknown): void {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  res.statusCode = 201;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', json.length);
  res.end(json);
}

/** Declared body length, or undefined for chunked bodies. */
export function declaredLength(req: Request): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined || req.headers['transfer-encoding'] !== undefined || !/^\d{1,15}$/.test(value)) {
    return undefined;
  }
  return Number(value);
}

/** Cancels the store write when the client goes away before its body is complete. */
export function abortOnDisconnect(req: Request): AbortController {
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort(new AttError('ABORTED', 'client disconnected during upload'));
  });
  return controller;
}

/** Runs `onStored` for each file; if it throws, the upload is undone and the error goes to `next`. */
export async function notifyStored(
  opts: ResolvedOptions,
  req: Request,
  attachments: StoredAttachment[],
  fields: FormFields,
  next: NextFunction,
  budgets: Budget[],
): Promise<boolean> {
  if (!opts.onStored) return true;
  try {
    for (const attachment of attachments) await opts.onStored(attachment, req, { fields });
    return true;
  } catch (err) {
    await removeStored(opts, attachments, budgets);
    next(err);
    return false;
  }
}

/** Takes back attachments an upload request stored before it failed, and their bytes from the visitor's total. */
export async function removeStored(opts: ResolvedOptions, files: StoredAttachment[], budgets: Budget[]): Promise<void> {
  if (files.length === 0) return;
  try {
    await opts.store.remove(...files.map((a) => a.id));
    await opts.store.refund(
      budgets,
      files.reduce((sum, a) => sum + a.size, 0),
    );
  } catch {
    // Best effort: the request fails anyway, and cleanup or sync() catches what is left.
  }
}
