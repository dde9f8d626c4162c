/**
 * `directDownloads: true`: `GET <mount>/:id` answers 302 to a presigned GET, so the bucket serves the bytes. The
 * URL makes the bucket answer with att's own Content-Type and Content-Disposition (active types as an
 * attachment under application/octet-stream, see active-types.ts), and the visitor's bandwidth is charged here,
 * at signing, for the whole object — the bytes never pass this process, so this is the last point that sees them.
 */
import { AttError, type DirectTransfers } from '@att/store-core';
import type { Request, Response } from 'express';
import { hasActiveExtension, isActiveType } from '../active-types.js';
import { contentDispositionFor } from '../content-disposition.js';
import type { ResolvedOptions } from '../options.js';
import { chargeDownload } from '../visitor-budgets.js';

export async function redirectDownload(
  opts: ResolvedOptions,
  transfers: DirectTransfers,
  expiresIn: number,
  req: Request,
  res: Response,
  id: string,
): Promise<void> {
  const a = await opts.store.stat(id);
  if (a.expiresAt && a.expiresAt.getTime() <= Date.now()) throw new AttError('NOT_FOUND', 'attachment not found');
  await chargeDownload(opts, req, a.size);
  const active = isActiveType(a.contentType) || hasActiveExtension(a.filename);
  const signed = await transfers.presignGet(id, {
    expiresIn,
    responseContentType: active ? 'application/octet-stream' : a.contentType,
    responseContentDisposition: contentDispositionFor(a),
  });
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Location', signed.url);
  res.status(302).end();
}
