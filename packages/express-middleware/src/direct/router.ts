/**
 * The signing API of `attachments({ direct })` under `<mount>/s3/…`, in the shape Uppy's `@uppy/aws-s3` (5.x,
 * `endpoint` option) calls — Companion's routes — plus att's confirmation and config routes. One handler file per
 * route; this file only matches paths, checks ids and answers 501 when the backend cannot presign.
 *
 * | route                                         | handler              |
 * |-----------------------------------------------|----------------------|
 * | GET    /s3/config                             | (here) part size, limits for the page |
 * | GET    /s3/params                             | params.ts            |
 * | POST   /s3/confirm/:key                       | confirm.ts           |
 * | POST   /s3/multipart                          | create-multipart.ts  |
 * | GET    /s3/multipart/:uploadId?key=           | list-parts.ts        |
 * | GET    /s3/multipart/:uploadId/:part?key=     | sign-part.ts         |
 * | POST   /s3/multipart/:uploadId/complete?key=  | complete.ts          |
 * | DELETE /s3/multipart/:uploadId?key=           | abort.ts             |
 */
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import type { ResolvedOptions } from '../options.js';
import { handleAbort } from './abort.js';
import { handleComplete } from './complete.js';
import type { ResolvedDirect } from './config.js';
import { handleConfirm } from './confirm.js';
import type { DirectContext } from './context.js';
import { handleCreateMultipart } from './create-multipart.js';
import { handleListParts } from './list-parts.js';
import { handleParams, searchOf } from './params.js';
import { handleSignPart } from './sign-part.js';

export type DirectRoute =
  | { name: 'config' }
  | { name: 'params' }
  | { name: 'create' }
  | { name: 'confirm'; key: string }
  | { name: 'list'; uploadId: string }
  | { name: 'abort'; uploadId: string }
  | { name: 'complete'; uploadId: string }
  | { name: 'sign'; uploadId: string; partNumber: string };

/** Which direct route `method path` is; undefined when it is none (left to the other routes). */
export function directRoute(method: string, path: string): DirectRoute | undefined {
  if (!path.startsWith('/s3/')) return undefined;
  const parts = path.slice(4).replace(/\/$/, '').split('/');
  const [first, second, third] = parts;
  if (parts.length === 1) {
    if (first === 'config' && method === 'GET') return { name: 'config' };
    if (first === 'params' && method === 'GET') return { name: 'params' };
    if (first === 'multipart' && method === 'POST') return { name: 'create' };
    return undefined;
  }
  if (first === 'confirm' && parts.length === 2 && method === 'POST' && second) return { name: 'confirm', key: second };
  if (first !== 'multipart' || !second) return undefined;
  if (parts.length === 2 && method === 'GET') return { name: 'list', uploadId: second };
  if (parts.length === 2 && method === 'DELETE') return { name: 'abort', uploadId: second };
  if (parts.length === 3 && third === 'complete' && method === 'POST') return { name: 'complete', uploadId: second };
  if (parts.length === 3 && third && method === 'GET') return { name: 'sign', uploadId: second, partNumber: third };
  return undefined;
}

function decoded(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AttError('INVALID_REQUEST', `invalid ${what}`);
  }
}

export type DirectHandler = (req: Request, res: Response, route: DirectRoute) => Promise<void>;

export function createDirectHandler(
  opts: ResolvedOptions,
  direct: ResolvedDirect,
  authorize: (req: Request) => Promise<void>,
): DirectHandler {
  const { transfers } = direct;
  const ctx: DirectContext | undefined = transfers ? { opts, direct, transfers } : undefined;
  return async (req, res, route) => {
    if (!ctx) {
      throw new AttError('NOT_IMPLEMENTED', 'direct uploads need a storage backend that presigns URLs (S3)');
    }
    if (route.name === 'config') {
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({
        partSize: direct.partSize,
        minPartSize: transfers?.minPartSize,
        maxParts: transfers?.maxParts,
        expiresIn: direct.expiresIn,
        fileSizeLimit: Number.isFinite(opts.fileSizeLimit) ? opts.fileSizeLimit : null,
      });
      return;
    }
    await authorize(req);
    if (route.name === 'params') return handleParams(ctx, req, res);
    if (route.name === 'create') return handleCreateMultipart(ctx, req, res);
    // A `key` is opened (upload-key.ts) before anything else happens with it: only the ids it seals reach S3.
    if (route.name === 'confirm') return handleConfirm(ctx, req, res, decoded(route.key, 'key'));
    const key = searchOf(req).get('key') ?? '';
    const target = { key, uploadId: decoded(route.uploadId, 'upload id') };
    if (route.name === 'list') return handleListParts(ctx, req, res, target);
    if (route.name === 'abort') return handleAbort(ctx, req, res, target);
    if (route.name === 'complete') return handleComplete(ctx, req, res, target);
    return handleSignPart(ctx, req, res, { ...target, partNumber: route.partNumber });
  };
}
