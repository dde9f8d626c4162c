/**
 * The tus 1.0 endpoint, served by `attachments({ resumable })` under `<mount>/uploads`: one handler file per verb
 * (discover, create, head, patch, terminate). Every answer carries Tus-Resumable; every refusal is att's JSON
 * error with the status tus prescribes. The upload id is the attachment id: once complete it is at `<mount>/:id`.
 * A plain function like the main router, so it serves Express 4 and 5 alike.
 */
import { AttError } from '@att/store-core';
import type { Request, Response } from 'express';
import { assertValidId } from '../id.js';
import type { Action, ResolvedOptions } from '../options.js';
import type { ResolvedResumable } from './config.js';
import type { TusContext } from './context.js';
import { handleCreate } from './create.js';
import { handleOptions } from './discover.js';
import { handleHead } from './head.js';
import { createUploadLimits } from './limits.js';
import { handlePatch } from './patch.js';
import { setTusHeaders, TUS_VERSION } from './protocol.js';
import { handleTerminate } from './terminate.js';

const OVERRIDABLE = new Set(['PATCH', 'DELETE', 'HEAD']);

/** `/uploads` (the collection) or `/uploads/<segment>` (one upload); undefined for other paths. */
export function tusPath(path: string): { id?: string } | undefined {
  if (path === '/uploads' || path === '/uploads/') return {};
  const segment = /^\/uploads\/([^/]+)\/?$/.exec(path)?.[1];
  return segment === undefined ? undefined : { id: segment };
}

export type TusHandler = (req: Request, res: Response, target: { id?: string }) => Promise<void>;

export function createTusHandler(opts: ResolvedOptions, tus: ResolvedResumable): TusHandler {
  const ctx: TusContext = { opts, tus, limits: createUploadLimits(opts, tus.store, tus.maxSize) };
  const authorize = async (req: Request, action: Action, id?: string) => {
    if (!(await opts.authorize(req, { action, ...(id === undefined ? {} : { id }) }))) {
      throw new AttError('FORBIDDEN', `${action} not allowed`);
    }
  };

  return async (req, res, target) => {
    setTusHeaders(res);
    // Some proxies and browsers only pass GET and POST: tus lets a POST say what it really is.
    const override = req.get('x-http-method-override')?.toUpperCase();
    const method = req.method === 'POST' && override && OVERRIDABLE.has(override) ? override : req.method;
    if (method === 'OPTIONS') return handleOptions(ctx, req, res);
    if (req.get('tus-resumable') !== TUS_VERSION) {
      res.setHeader('Tus-Version', TUS_VERSION);
      throw new AttError('INVALID_REQUEST', `this server speaks tus ${TUS_VERSION} (send Tus-Resumable)`, {
        status: 412,
      });
    }
    if (target.id === undefined) {
      if (method !== 'POST') throw notAllowed(res, 'OPTIONS, POST');
      await authorize(req, 'upload');
      return handleCreate(ctx, req, res);
    }
    let id: string;
    try {
      id = decodeURIComponent(target.id);
    } catch {
      throw new AttError('INVALID_ID', 'invalid upload id');
    }
    assertValidId(id, opts.idPattern);
    // Writing to and terminating an unfinished upload is the uploader's own business (its unguessable id is the
    // capability); deleting an attachment stays `DELETE <mount>/:id` with the 'delete' permission.
    await authorize(req, 'upload', id);
    if (method === 'HEAD') return handleHead(ctx, req, res, id);
    if (method === 'PATCH') return handlePatch(ctx, req, res, id);
    if (method === 'DELETE') return handleTerminate(ctx, req, res, id);
    throw notAllowed(res, 'OPTIONS, HEAD, PATCH, DELETE');
  };
}

function notAllowed(res: Response, allow: string): AttError {
  res.setHeader('Allow', allow);
  return new AttError('INVALID_REQUEST', 'method not allowed here', { status: 405 });
}
