import { pipeline } from 'node:stream/promises';
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import { hasActiveExtension, isActiveType } from './active-types.js';
import { ifNoneMatchHits, ifRangeAllows, notModifiedSince, parseRange } from './conditional.js';
import { contentDispositionFor } from './content-disposition.js';
import { answerError } from './http-error.js';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { chargeDownload } from './visitor-budgets.js';

/** Strong validator: ids are server-generated and never rewritten, so id + size + creation time is unique. */
export function etagOf(a: StoredAttachment): string {
  return `"${a.id}-${a.size.toString(36)}-${a.createdAt.getTime().toString(36)}"`;
}

function assertLive(a: StoredAttachment): void {
  // Expired files are gone for clients even before cleanup deletes them (ntfy served them until then).
  if (a.expiresAt && a.expiresAt.getTime() <= Date.now()) throw new AttError('NOT_FOUND', 'attachment not found');
}

function setEntityHeaders(res: Response, a: StoredAttachment): void {
  const active = isActiveType(a.contentType) || hasActiveExtension(a.filename);
  // Active content never goes out under its own type: see active-types.ts for why a disposition is not enough.
  res.setHeader('Content-Type', active ? 'application/octet-stream' : a.contentType);
  res.setHeader('ETag', etagOf(a));
  res.setHeader('Last-Modified', a.createdAt.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The same value the Store wrote on the object (S3 keeps it), so a CDN or presigned download names it alike.
  res.setHeader('Content-Disposition', contentDispositionFor(a));
  if (a.expiresAt) {
    const seconds = Math.max(0, Math.floor((a.expiresAt.getTime() - Date.now()) / 1000));
    res.setHeader('Cache-Control', `private, max-age=${seconds}`);
  }
}

/** 304 when the client's copy is current (If-None-Match wins over If-Modified-Since). */
function notModified(req: Request, a: StoredAttachment): boolean {
  const inm = req.get('if-none-match');
  if (inm !== undefined) return ifNoneMatchHits(inm, etagOf(a));
  return notModifiedSince(req.get('if-modified-since'), a.createdAt);
}

/** HEAD: metadata only, from the store's stat (a backend HEAD, never a GET). */
export async function handleHead(opts: ResolvedOptions, req: Request, res: Response, id: string): Promise<void> {
  const a = await opts.store.stat(id);
  assertLive(a);
  setEntityHeaders(res, a);
  if (notModified(req, a)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Length', String(a.size));
  res.status(200).end();
}

export async function handleGet(opts: ResolvedOptions, req: Request, res: Response, id: string): Promise<void> {
  const conditional =
    req.get('range') !== undefined ||
    req.get('if-none-match') !== undefined ||
    req.get('if-modified-since') !== undefined;
  let range: { start: number; end: number } | undefined;
  if (conditional) {
    // Validators and ranges need the size and ETag first; a cheap stat saves the GET on 304 and 416.
    const a = await opts.store.stat(id);
    assertLive(a);
    if (notModified(req, a)) {
      setEntityHeaders(res, a);
      res.status(304).end();
      return;
    }
    if (ifRangeAllows(req.get('if-range'), etagOf(a), a.createdAt)) {
      const parsed = parseRange(req.get('range'), a.size);
      if (parsed.kind === 'unsatisfiable') {
        const err = new AttError('RANGE_NOT_SATISFIABLE', `range not satisfiable for ${a.size} bytes`);
        answerError(opts.onError, req, res, err, {
          'Content-Range': `bytes */${a.size}`,
        });
        return;
      }
      if (parsed.kind === 'partial') range = { start: parsed.start, end: parsed.end };
    }
  }

  const controller = new AbortController();
  res.once('close', () => controller.abort());
  const read = await opts.store.read(id, { ...(range ? { range } : {}), signal: controller.signal });
  const { attachment: a, body } = read;
  const sending = read.range ? read.range.end - read.range.start + 1 : a.size;
  try {
    assertLive(a);
    await chargeDownload(opts, req, sending);
  } catch (err) {
    body.destroy();
    throw err;
  }
  setEntityHeaders(res, a);
  if (read.range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${read.range.start}-${read.range.end}/${a.size}`);
  } else {
    res.status(200);
  }
  res.setHeader('Content-Length', String(sending));
  try {
    await pipeline(body, res);
  } catch {
    // The client went away or the backend stream broke mid-body: headers are out, so all we can do is cut
    // the connection (pipeline already destroyed both ends), which the client sees as a short body.
  }
}
