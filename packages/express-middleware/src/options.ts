/**
 * The middleware's options: one default, one validator and one precedence rule each. The Store owns
 * `fileSizeLimit` and `expiry`; these options may only narrow them (a wider value is a startup error naming both).
 */

import type { DirectTransfers } from '@att/store-core';
import {
  type Attachment,
  AttError,
  type AttLogger,
  type Backend,
  createMemoryLimiterStore,
  createStore,
  type LimiterStore,
  type Logger,
  type RateLimit,
  type Store,
  type WriteOptions,
} from '@att/store-core';
import type { Request } from 'express';
import { type DirectOptions, type ResolvedDirect, resolveDirect, resolveDirectDownloads } from './direct/config.js';
import { createErrorReporter } from './error-log.js';
import type { ErrorContext } from './http-error.js';
import { type AttachmentsHttpOptions, type ResolvedHttpOptions, resolveHttpOptions } from './http-options.js';
import { DEFAULT_ID_PATTERN } from './id.js';
import { type ResolvedResumable, type ResumableOptions, resolveResumable } from './tus/config.js';

/** What the middleware reads back about a stored file. */
export type StoredAttachment = Attachment;

/** Options the middleware passes to `store.write`. */
export type StoreWriteOptions = WriteOptions;

/** The part of @att/store-core's Store the middleware uses; any object of this shape works (a wrapper, a proxy). */
export type AttachmentStore = Pick<Store, 'prepareWrite' | 'charge' | 'refund' | 'read' | 'stat' | 'remove'> & {
  /** The store's own limits, which the middleware's options may narrow but never widen. */
  readonly limits?: Store['limits'];
};

export type Action = 'upload' | 'download' | 'delete';

/** Multipart text fields: a name sent once has its value, a name sent several times an array of them. */
export type FormFields = Record<string, string | string[]>;

export type OnStored = (
  attachment: StoredAttachment,
  req: Request,
  context: { fields: FormFields },
) => void | Promise<void>;

export interface AttachmentsOptions extends AttachmentsHttpOptions {
  /** An @att/store-core Store; a bare Backend (e.g. `fsBackend({ dir })`) is wrapped in a Store without limits. */
  store: AttachmentStore | Backend;
  /** Largest single file in bytes, at most the store's `fileSizeLimit`. Default: the store's. */
  fileSizeLimit?: number;
  /** Attachment lifetime in ms, at most the store's `expiry`. Default: the store's. */
  expiry?: number;
  /** Who pays for a request; keys every per-visitor limit. Default `req.ip` (so Express's `trust proxy` applies). */
  visitor?: (req: Request) => string;
  /**
   * Bytes of live attachments one visitor may hold (they leave the total when the attachment expires, or after
   * 24 h for attachments that never expire). Default 100 MiB; `false` turns it off.
   */
  visitorTotalSizeLimit?: number | false;
  /** Upload + download bytes per visitor per rolling 24 h. Default 500 MiB; `false` turns it off. */
  visitorDailyBandwidth?: number | false;
  /** Request rate per visitor (token bucket). Default burst 60, one token per 5 s; `false` turns it off. */
  rateLimit?: Partial<RateLimit> | false;
  /** May `req` do `action`? Default: upload and download yes, delete no. */
  authorize?: (req: Request, ctx: { action: Action; id?: string }) => boolean | Promise<boolean>;
  /**
   * Called after each file is stored, before the response, with the multipart text fields (`{}` for raw
   * uploads); throwing removes the upload and calls next(err).
   */
  onStored?: OnStored;
  /** Where rate limits and per-visitor byte budgets live. Default: in this process; `redisState().limits` shares them. */
  limits?: LimiterStore;
  /**
   * When the shared state is down: uploads always answer 503 STATE_UNAVAILABLE; downloads skip their rate-limit
   * and bandwidth checks (`'open'`, the default, with a warning to `onError`) or answer 503 too (`'closed'`).
   */
  onStateError?: 'open' | 'closed';
  /** Ids the routes accept (checked before the store is asked). Default `/^[A-Za-z0-9_-]{1,128}$/`. */
  idPattern?: RegExp;
  /** Base of the `url` in upload answers, e.g. "https://files.example.com/attachments". Default: from the request. */
  publicUrl?: string;
  /** Most files in one multipart request. Default 10. */
  maxFiles?: number;
  /**
   * Where server-side failures are logged, pino-shaped (`error(obj, msg)`): a 5xx answer at error level with
   * `{ err, requestId, req: { method, path } }` (the `requestId` the client got in its JSON and `X-Request-Id`), a
   * problem no client saw at warn level. Objects are redacted first (no credentials, tokens or signed URLs).
   * Default: the Store's logger.
   */
  logger?: Logger;
  /**
   * @deprecated Use `logger`. Still called, after the logger, with each server-side failure: those answered 5xx
   * with the request id the client was shown in `context`, and warnings no client saw (no context).
   */
  onError?: (err: unknown, req: Request, context?: ErrorContext) => void;
  /**
   * How the `att:http:request` diagnostics channel names the visitor: `'hash'` (default) a keyed hash that
   * lives as long as this middleware, `'raw'` the visitor key itself (usually an IP: personal data).
   */
  reportVisitor?: 'hash' | 'raw';
  /** Resumable uploads (tus 1.0) under `<mount>/uploads`; needs a Store whose backend offers them. Default off. */
  resumable?: boolean | ResumableOptions;
  /**
   * Direct-to-bucket uploads: Uppy's S3 signing API under `<mount>/s3/…` (presigned PUTs and multipart parts,
   * confirmed before they count). Needs a Store whose backend presigns (S3); on another the routes answer 501.
   */
  direct?: boolean | DirectOptions;
  /** `GET <mount>/:id` answers 302 to a presigned GET, so the bucket serves the bytes. Needs a backend that presigns. */
  directDownloads?: boolean;
}

export interface ResolvedOptions extends ResolvedHttpOptions {
  store: AttachmentStore;
  /** The effective per-file limit: the narrower of ours and the store's (Infinity: none). */
  fileSizeLimit: number;
  /** The effective lifetime in ms: the narrower of ours and the store's (undefined: never expires). */
  expiry: number | undefined;
  /** True when our `expiry` is narrower than the store's, so each write passes its own `expiresAt`. */
  narrowsExpiry: boolean;
  visitor: (req: Request) => string;
  visitorTotalSizeLimit: number;
  visitorDailyBandwidth: number;
  rateLimit: RateLimit | false;
  authorize: (req: Request, ctx: { action: Action; id?: string }) => boolean | Promise<boolean>;
  onStored: OnStored | undefined;
  limits: LimiterStore;
  onStateError: 'open' | 'closed';
  idPattern: RegExp;
  publicUrl: string | undefined;
  maxFiles: number;
  /** The logger, then the app's `onError` (error-log.ts). */
  onError: (err: unknown, req: Request, context?: ErrorContext) => void;
  /** The tus endpoint's settings; undefined when resumable uploads are off. */
  resumable: ResolvedResumable | undefined;
  /** The direct signing API's settings; undefined when off. */
  direct: ResolvedDirect | undefined;
  /** Presigns download redirects when `directDownloads` is on. */
  directDownloads: DirectTransfers | undefined;
}

const MiB = 1024 * 1024;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** ntfy's defaults, where it has one. File size and expiry have none here: the store's apply. */
export const DEFAULTS = {
  visitorTotalSizeLimit: 100 * MiB,
  visitorDailyBandwidth: 500 * MiB,
  rateLimit: { burst: 60, refillMs: 5_000 },
  maxFiles: 10,
} as const;

function defaultAuthorize(_req: Request, ctx: { action: Action }): boolean {
  return ctx.action !== 'delete';
}

function defaultVisitor(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function invalid(field: string, message: string): AttError {
  return new AttError('INVALID_CONFIG', `attachments(): ${field} ${message}`, { details: { field } });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw invalid(name, `must be a positive number, got ${String(value)}`);
  return value;
}

/** A limit that is on by default: a positive number, or `false` for none (Infinity). */
function optionalLimit(name: string, value: number | false | undefined, fallback: number): number {
  return value === false ? Number.POSITIVE_INFINITY : positive(name, value, fallback);
}

/** Ours may narrow the store's, never widen it; absent, the store's applies. */
function narrowed(name: string, ours: number | undefined, stores: number | undefined): number | undefined {
  if (ours === undefined) return stores;
  positive(name, ours, 0);
  if (stores !== undefined && ours > stores) {
    throw invalid(name, `(${ours}) is wider than the store's ${name} (${stores}); it may only narrow it`);
  }
  return ours;
}

function resolveRateLimit(given: AttachmentsOptions['rateLimit']): RateLimit | false {
  if (given === false) return false;
  // A partial object fills each missing field with its documented default.
  return {
    burst: positive('rateLimit.burst', given?.burst, DEFAULTS.rateLimit.burst),
    refillMs: positive('rateLimit.refillMs', given?.refillMs, DEFAULTS.rateLimit.refillMs),
  };
}

/** A Backend has put/get/head/delete but no write: users who pass one directly get a Store around it. */
function isBareBackend(store: unknown): store is Backend {
  const s = store as Partial<Backend & AttachmentStore> | undefined;
  return (
    typeof s?.prepareWrite !== 'function' &&
    typeof s?.put === 'function' &&
    typeof s?.get === 'function' &&
    typeof s?.head === 'function' &&
    typeof s?.delete === 'function'
  );
}

export function resolveOptions(given: AttachmentsOptions): ResolvedOptions {
  const options =
    given && isBareBackend(given.store) ? { ...given, store: createStore({ backend: given.store }) } : given;
  if (!options || typeof (options.store as AttachmentStore | undefined)?.prepareWrite !== 'function') {
    throw invalid('store', 'is required: an @att/store-core Store (or a Backend)');
  }
  const store = options.store as AttachmentStore;
  const storeLimits = store.limits;
  const fileSizeLimit = narrowed('fileSizeLimit', options.fileSizeLimit, storeLimits?.fileSizeLimit);
  const expiry = narrowed('expiry', options.expiry, storeLimits?.expiry);
  if (options.onStateError !== undefined && options.onStateError !== 'open' && options.onStateError !== 'closed') {
    throw invalid('onStateError', "must be 'open' or 'closed'");
  }
  if (options.idPattern !== undefined && !(options.idPattern instanceof RegExp)) {
    throw invalid('idPattern', 'must be a RegExp');
  }
  for (const name of ['visitor', 'authorize', 'onStored', 'onError'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalid(name, 'must be a function');
  }
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw invalid('logger', 'must be a logger object (debug/info/warn/error methods, as pino has)');
  }
  if (options.limits !== undefined && typeof options.limits?.take !== 'function') {
    throw invalid('limits', 'must be a LimiterStore (take(), ledger)');
  }
  return {
    ...resolveHttpOptions(options),
    store,
    fileSizeLimit: fileSizeLimit ?? Number.POSITIVE_INFINITY,
    expiry,
    narrowsExpiry: options.expiry !== undefined && options.expiry !== storeLimits?.expiry,
    visitor: options.visitor ?? defaultVisitor,
    visitorTotalSizeLimit: optionalLimit(
      'visitorTotalSizeLimit',
      options.visitorTotalSizeLimit,
      DEFAULTS.visitorTotalSizeLimit,
    ),
    visitorDailyBandwidth: optionalLimit(
      'visitorDailyBandwidth',
      options.visitorDailyBandwidth,
      DEFAULTS.visitorDailyBandwidth,
    ),
    rateLimit: resolveRateLimit(options.rateLimit),
    authorize: options.authorize ?? defaultAuthorize,
    onStored: options.onStored,
    limits: options.limits ?? createMemoryLimiterStore(),
    onStateError: options.onStateError ?? 'open',
    idPattern: options.idPattern ?? DEFAULT_ID_PATTERN,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    maxFiles: positive('maxFiles', options.maxFiles, DEFAULTS.maxFiles),
    onError: createErrorReporter(options.logger, (store as { logger?: AttLogger }).logger, options.onError),
    resumable: resolveResumable(options.resumable, store, fileSizeLimit ?? Number.POSITIVE_INFINITY),
    direct: resolveDirect(options.direct, store),
    directDownloads: resolveDirectDownloads(options.directDownloads, store),
  };
}
