/**
 * `app.use('/attachments', attachments({ store }))`: POST / uploads, GET|HEAD /:id downloads, DELETE /:id
 * deletes. A plain middleware function rather than an express.Router, so the same code serves Express 4 and 5
 * (and never depends on either's path parser, whose URIError on `%zz` would escape the JSON contract).
 * Every known failure is answered here as JSON; anything else goes to `next(err)`.
 */
import { AttError } from '@att/store-core';
import type { NextFunction, Request, Response } from 'express';
import { DEFAULT_EXPIRES_IN } from './direct/config.js';
import { redirectDownload } from './direct/download.js';
import { createDirectHandler, type DirectHandler, type DirectRoute, directRoute } from './direct/router.js';
import { handleGet, handleHead } from './download.js';
import { answerError, bodyConsumedError } from './http-error.js';
import { assertValidId, isValidId, MAX_ID_LENGTH } from './id.js';
import { type Action, type AttachmentsOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { createRequestReporter } from './request-events.js';
import { createTusHandler, type TusHandler, tusPath } from './tus/router.js';
import { handleUpload } from './upload.js';
import { failsOpen } from './visitor-budgets.js';

export type AttachmentsMiddleware = (req: Request, res: Response, next: NextFunction) => void;

type Route =
  | { kind: 'upload' }
  | { kind: 'id'; action: Action; id: string }
  | { kind: 'hostile' }
  | { kind: 'tus'; id?: string }
  | { kind: 'direct'; route: DirectRoute };

export function attachments(options: AttachmentsOptions): AttachmentsMiddleware {
  const opts = resolveOptions(options);
  const tus = opts.resumable ? createTusHandler(opts, opts.resumable) : undefined;
  const report = createRequestReporter(opts.visitor, options.reportVisitor);
  const direct = opts.direct
    ? createDirectHandler(opts, opts.direct, (req) => authorize(opts, req, 'upload'))
    : undefined;
  return (req, res, next) => {
    const signing = direct ? directRoute(req.method, req.path) : undefined;
    const route: Route | undefined = signing
      ? { kind: 'direct', route: signing }
      : routeOf(opts, req, tus !== undefined);
    if (!route) {
      next();
      return;
    }
    report(route.kind === 'id' ? route.action : route.kind, req, res);
    serve(opts, tus, direct, route, req, res, next).catch((err: unknown) => {
      if (!answerError(opts.onError, req, res, err)) next(err);
    });
  };
}

/** Which of our routes a request is, or undefined when it is not ours (left to the app). */
function routeOf(opts: ResolvedOptions, req: Request, resumable: boolean): Route | undefined {
  const path = req.path;
  const atRoot = req.baseUrl === '';
  // Before `/:id`, which would take "uploads" for an attachment id.
  const tus = resumable ? tusPath(path) : undefined;
  if (tus) return { kind: 'tus', ...tus };
  if (path === '/') return req.method === 'POST' ? { kind: 'upload' } : undefined;
  const segment = /^\/([^/]+)\/?$/.exec(path)?.[1];
  const action = ACTIONS[req.method];
  if (segment !== undefined && action !== undefined) {
    let id: string;
    try {
      id = decodeURIComponent(segment);
    } catch {
      return { kind: 'hostile' }; // a malformed escape (`%zz`): no id and no page has one
    }
    // At the app's root, `/:id` also matches the app's own pages (`/favicon.ico`): not an id, not ours.
    // Over-long or traversing ids are still refused there: no page has them, and they must not go further.
    if (atRoot && !isValidId(id, opts.idPattern) && !isHostileId(id)) return undefined;
    return { kind: 'id', action, id };
  }
  // Paths that never reach /:id (dot segments, encoded slashes, NUL…) are hostile ids, not "some other page".
  // Mounted at the app's root, other routes share these paths: leave them to the app, unless they traverse.
  if (atRoot ? looksLikeTraversal(path) : looksLikeHostileId(path)) return { kind: 'hostile' };
  return undefined;
}

const ACTIONS: Partial<Record<string, Action>> = { GET: 'download', HEAD: 'download', DELETE: 'delete' };

async function serve(
  opts: ResolvedOptions,
  tus: TusHandler | undefined,
  direct: DirectHandler | undefined,
  route: Route,
  req: Request,
  res: Response,
  next: NextFunction,
) {
  if ((route.kind === 'upload' || route.kind === 'tus') && bodyReadByOthers(req)) throw bodyConsumedError();
  await rateLimit(opts, req);
  if (route.kind === 'hostile') throw new AttError('INVALID_ID', 'invalid attachment id');
  if (route.kind === 'tus') {
    await tus?.(req, res, route);
    return;
  }
  if (route.kind === 'direct') {
    await direct?.(req, res, route.route);
    return;
  }
  if (route.kind === 'upload') {
    await authorize(opts, req, 'upload');
    await handleUpload(opts, req, res, next);
    return;
  }
  const { id, action } = route;
  assertValidId(id, opts.idPattern);
  if (action === 'delete') {
    // The owner's token is enough; without one, `authorize` decides (default: no).
    if (!(opts.ownerTokens?.proves(req, id) ?? false)) await authorize(opts, req, 'delete', id);
    // One HEAD, inside remove: it says whether the id was there. An expired attachment is deleted too (cleanup
    // would), and answered 204 like any other.
    const [removed] = await opts.store.remove(id);
    if (removed === undefined) throw new AttError('NOT_FOUND', 'attachment not found');
    res.status(204).end();
    return;
  }
  await authorize(opts, req, 'download', id);
  if (req.method === 'HEAD') await handleHead(opts, req, res, id);
  else if (opts.directDownloads) {
    const expiresIn = opts.direct?.expiresIn ?? DEFAULT_EXPIRES_IN;
    await redirectDownload(opts, opts.directDownloads, expiresIn, req, res, id);
  } else await handleGet(opts, req, res, id);
}

/**
 * A body parser mounted before us (express.json(), urlencoded, text, raw) has read the body or is reading it:
 * the stream will never give us a byte, and waiting would hang the request. Public stream state tells: nobody
 * else touches a request stream before its route runs, so a stream already flowing or ended was read by another.
 */
function bodyReadByOthers(req: Request): boolean {
  return req.readableEnded || req.readableFlowing !== null;
}

function looksLikeHostileId(path: string): boolean {
  return path.length > MAX_ID_LENGTH + 1 || /\.\.|%|\\|\0|\/\/|\/.*\//.test(path);
}

/** Dot segments and NUL, raw or encoded: hostile on any path, so refused even at the app's root. */
function looksLikeTraversal(path: string): boolean {
  return /\.\.|%2e%2e|%2e\.|\.%2e|%00|\0/i.test(path);
}

/** A decoded `:id` no page of the app could have: over-long, with NUL or other controls, slashes or `..`. */
function isHostileId(id: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return id.length > MAX_ID_LENGTH || /[\u0000-\u001f\u007f/\\]|\.\./.test(id);
}

async function rateLimit(opts: ResolvedOptions, req: Request): Promise<void> {
  if (opts.rateLimit === false) return;
  let allowed: boolean;
  try {
    allowed = await opts.limits.take(`rate:${opts.visitor(req)}`, opts.rateLimit);
  } catch (err) {
    // Reads may go on without the shared state (onStateError); anything that writes may not.
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (reading && failsOpen(opts, req, err)) return;
    throw err;
  }
  if (allowed) return;
  throw new AttError('RATE_LIMITED', 'too many requests, slow down', {
    details: { retryAfterSeconds: Math.max(1, Math.ceil(opts.rateLimit.refillMs / 1000)) },
  });
}

async function authorize(opts: ResolvedOptions, req: Request, action: Action, id?: string): Promise<void> {
  if (!(await opts.authorize(req, { action, ...(id === undefined ? {} : { id }) }))) {
    throw new AttError('FORBIDDEN', `${action} not allowed`);
  }
}
