/** What every tus verb handler needs: the middleware's options, the resumable store side and the limits. */
import type { ResumableStatus } from '@att/store-core';
import type { Request, Response } from 'express';
import type { ResolvedOptions } from '../options.js';
import type { ResolvedResumable } from './config.js';
import type { UploadLimits } from './limits.js';
import { httpDate, setTusHeaders } from './protocol.js';

export interface TusContext {
  opts: ResolvedOptions;
  tus: ResolvedResumable;
  limits: UploadLimits;
}

/** The answer's Upload-Expires: an upload idle for `idleLifetime` is removed by cleanup. */
export function setExpires(ctx: TusContext, res: Response, status: ResumableStatus): void {
  res.setHeader('Upload-Expires', httpDate(new Date(status.updatedAt.getTime() + ctx.limits.idleLifetime)));
}

export function isExpired(ctx: TusContext, status: ResumableStatus): boolean {
  return status.updatedAt.getTime() + ctx.limits.idleLifetime <= Date.now();
}

/**
 * Where an upload lives: `publicUrl/uploads/<id>`, else the path on this host. Never built from the request's Host
 * header, which any client can forge; tus clients resolve a relative Location against their endpoint.
 */
export function uploadUrl(ctx: TusContext, req: Request, id: string): string {
  return `${ctx.opts.publicUrl ?? req.baseUrl}/uploads/${id}`;
}

export { setTusHeaders };
