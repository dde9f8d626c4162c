import { AttError } from '@att/store-core';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { handleGet, handleHead } from './download.js';
import { answerFailure, sendAttError } from './http-error.js';
import { assertValidId, isValidId, MAX_ID_LENGTH } from './id.js';
import { type Action, type AttachmentsOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { handleUpload } from './upload.js';
import { failsOpen } from './visitor-budgets.js';

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

/**
 * `app.use('/attachments', attachments({ store }))`: POST / uploads, GET|HEAD /:id downloads, DELETE /:id
 * deletes. Known failures answer `{ error: { code, message } }`; anything unexpected goes to `next(err)`.
 */
export function attachments(options: AttachmentsOptions): Router {
  const opts = resolveOptions(options);
  const router = express.Router();

  const guarded =
    (fn: Handler): Handler =>
    async (req, res, next) => {
      try {
        await fn(req, res, next);
      } catch (err) {
        if (!answerFailure(opts.onError, req, res, err)) next(err);
      }
    };

  router.use(guarded(rateLimit(opts)));
  router.post('/', guarded(authorized(opts, 'upload', (req, res, next) => handleUpload(opts, req, res, next))));
  // HEAD first: Express would otherwise answer HEAD with the GET route, which reads the body from the backend.
  router.head('/:id', guarded(withId(opts, 'download', (req, res, id) => handleHead(opts, req, res, id))));
  router.get('/:id', guarded(withId(opts, 'download', (req, res, id) => handleGet(opts, req, res, id))));
  router.delete(
    '/:id',
    guarded(
      withId(opts, 'delete', async (_req, res, id) => {
        await opts.store.stat(id);
        await opts.store.remove(id);
        res.status(204).end();
      }),
    ),
  );
  // Paths that never reach /:id (dot segments, encoded slashes, NUL…) are hostile ids, not "some other page".
  router.use((req, res, next) => {
    // Mounted at the app's root, other routes share these paths: leave them to the app, unless they traverse.
    if (req.baseUrl !== '' ? looksLikeHostileId(req.path) : looksLikeTraversal(req.path)) {
      sendAttError(res, new AttError('INVALID_ID', 'invalid attachment id'));
      return;
    }
    next();
  });
  return router;
}

function looksLikeHostileId(path: string): boolean {
  return path.length > MAX_ID_LENGTH + 1 || /\.\.|%|\\|\0|\/\/|\/.*\//.test(path);
}

/** Dot segments and NUL, raw or encoded: hostile on any path, so refused even at the app's root. */
function looksLikeTraversal(path: string): boolean {
  return /\.\.|%2e%2e|%2e\.|\.%2e|%00|\0/i.test(path);
}

/** A decoded `:id` no page of the app could have: over-long, with NUL or other controls, slashes or `..`. */
function isHostileId(id: unknown): boolean {
  if (typeof id !== 'string') return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return id.length > MAX_ID_LENGTH || /[\u0000-\u001f\u007f/\\]|\.\./.test(id);
}

function rateLimit(opts: ResolvedOptions): Handler {
  return async (req, res, next) => {
    if (opts.rateLimit === false) return next();
    let allowed: boolean;
    try {
      allowed = await opts.limits.take(`rate:${opts.visitor(req)}`, opts.rateLimit);
    } catch (err) {
      // Reads may go on without the shared state (onStateError); anything that writes may not.
      const reading = req.method === 'GET' || req.method === 'HEAD';
      if (reading && failsOpen(opts, req, err)) return next();
      throw err;
    }
    if (allowed) return next();
    sendAttError(res, new AttError('RATE_LIMITED', 'too many requests, slow down'), {
      'Retry-After': String(Math.max(1, Math.ceil(opts.rateLimit.refillMs / 1000))),
    });
  };
}

function authorized(opts: ResolvedOptions, action: Action, fn: Handler, id?: string): Handler {
  return async (req, res, next) => {
    if (!(await opts.authorize(req, { action, ...(id === undefined ? {} : { id }) }))) {
      throw new AttError('FORBIDDEN', `${action} not allowed`);
    }
    await fn(req, res, next);
  };
}

/** Validates `:id` before anything else touches it, then checks authorisation for it. */
function withId(
  opts: ResolvedOptions,
  action: Action,
  fn: (req: Request, res: Response, id: string) => Promise<void>,
): Handler {
  return async (req, res, next) => {
    const id = req.params.id;
    // At the app's root, `/:id` also matches the app's own pages (`/favicon.ico`): not an id, not ours.
    // Over-long or traversing ids are still refused there: no page has them, and they must not go further.
    if (req.baseUrl === '' && !isValidId(id, opts.idPattern) && !isHostileId(id)) return next();
    assertValidId(id, opts.idPattern);
    await authorized(opts, action, () => fn(req, res, id), id)(req, res, next);
  };
}
