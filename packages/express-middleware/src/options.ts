import { type Attachment, type Backend, createStore, type Store, type WriteOptions } from '@att/store-core';
import type { Request } from 'express';
import { DEFAULT_ID_PATTERN } from './id.js';
import { type LimiterStore, memoryLimiterStore, type RateLimit } from './limiter.js';

/** What the middleware reads back about a stored file. */
export type StoredAttachment = Attachment;

/** Options the middleware passes to `store.write`. */
export type StoreWriteOptions = WriteOptions;

/** The part of @att/store-core's Store the middleware uses; any object of this shape works (a wrapper, a proxy). */
export type AttachmentStore = Pick<Store, 'write' | 'read' | 'stat' | 'remove'> & {
  /** Bytes still free under the store's total limit (Infinity or undefined when unlimited). */
  readonly remaining?: number;
};

export type Action = 'upload' | 'download' | 'delete';

export interface AttachmentsOptions {
  /** An @att/store-core Store; a bare Backend (e.g. `fsBackend({ dir })`) is wrapped in a Store without limits. */
  store: AttachmentStore | Backend;
  /** Largest single file in bytes. Default 15 MiB. */
  fileSizeLimit?: number;
  /** Attachment lifetime in ms, used for the per-visitor total (entries leave it when the file expires). Default 3 h. */
  expiry?: number;
  /** Who pays for a request; keys every per-visitor limit. Default `req.ip` (so Express's `trust proxy` applies). */
  visitor?: (req: Request) => string;
  /** Bytes of live attachments one visitor may hold. Default 100 MiB; `false` turns it off. */
  visitorTotalSizeLimit?: number | false;
  /** Upload + download bytes per visitor per rolling 24 h. Default 500 MiB; `false` turns it off. */
  visitorDailyBandwidth?: number | false;
  /** Request rate per visitor (token bucket). Default burst 60, one token per 5 s; `false` turns it off. */
  rateLimit?: RateLimit | false;
  /** May `req` do `action`? Default: upload and download yes, delete no. */
  authorize?: (req: Request, ctx: { action: Action; id?: string }) => boolean | Promise<boolean>;
  /** Called after each file is stored, before the response; throwing removes the upload and calls next(err). */
  onStored?: (attachment: StoredAttachment, req: Request) => void | Promise<void>;
  /** Where per-visitor counters live. Default: bounded in-memory store (per process). */
  limits?: LimiterStore;
  /** Ids the routes accept (checked before the store is asked). Default `/^[A-Za-z0-9_-]{1,128}$/`. */
  idPattern?: RegExp;
  /** Base of the `url` in upload answers, e.g. "https://files.example.com/attachments". Default: from the request. */
  publicUrl?: string;
  /** Most files in one multipart request. Default 10. */
  maxFiles?: number;
  /** Sees server-side failures (backend outages) that are answered 5xx, e.g. for logging. */
  onError?: (err: unknown, req: Request) => void;
}

export interface ResolvedOptions {
  store: AttachmentStore;
  fileSizeLimit: number;
  expiry: number;
  visitor: (req: Request) => string;
  visitorTotalSizeLimit: number;
  visitorDailyBandwidth: number;
  rateLimit: RateLimit | false;
  authorize: (req: Request, ctx: { action: Action; id?: string }) => boolean | Promise<boolean>;
  onStored: ((attachment: StoredAttachment, req: Request) => void | Promise<void>) | undefined;
  limits: LimiterStore;
  idPattern: RegExp;
  publicUrl: string | undefined;
  maxFiles: number;
  onError: ((err: unknown, req: Request) => void) | undefined;
}

const MiB = 1024 * 1024;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** ntfy's defaults, where it has one. */
export const DEFAULTS = {
  fileSizeLimit: 15 * MiB,
  expiry: 3 * 60 * 60 * 1000,
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

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0))
    throw new TypeError(`attachments(): ${name} must be a positive number`);
  return value;
}

/** A Backend has put/get/head/delete but no write: users who pass one directly get a Store around it. */
function isBareBackend(store: unknown): store is Backend {
  const s = store as Partial<Backend & AttachmentStore> | undefined;
  return (
    typeof s?.write !== 'function' &&
    typeof s?.put === 'function' &&
    typeof s?.get === 'function' &&
    typeof s?.head === 'function' &&
    typeof s?.delete === 'function'
  );
}

export function resolveOptions(given: AttachmentsOptions): ResolvedOptions {
  const options =
    given && isBareBackend(given.store) ? { ...given, store: createStore({ backend: given.store }) } : given;
  if (!options || typeof (options.store as AttachmentStore | undefined)?.write !== 'function') {
    throw new TypeError('attachments(): options.store (an @att/store-core Store or Backend) is required');
  }
  const rateLimit = options.rateLimit === undefined ? { ...DEFAULTS.rateLimit } : options.rateLimit;
  if (rateLimit !== false) {
    positive('rateLimit.burst', rateLimit.burst, 1);
    positive('rateLimit.refillMs', rateLimit.refillMs, 1);
  }
  return {
    store: options.store as AttachmentStore,
    fileSizeLimit: positive('fileSizeLimit', options.fileSizeLimit, DEFAULTS.fileSizeLimit),
    expiry: positive('expiry', options.expiry, DEFAULTS.expiry),
    visitor: options.visitor ?? defaultVisitor,
    visitorTotalSizeLimit:
      options.visitorTotalSizeLimit === false
        ? Number.POSITIVE_INFINITY
        : positive('visitorTotalSizeLimit', options.visitorTotalSizeLimit, DEFAULTS.visitorTotalSizeLimit),
    visitorDailyBandwidth:
      options.visitorDailyBandwidth === false
        ? Number.POSITIVE_INFINITY
        : positive('visitorDailyBandwidth', options.visitorDailyBandwidth, DEFAULTS.visitorDailyBandwidth),
    rateLimit,
    authorize: options.authorize ?? defaultAuthorize,
    onStored: options.onStored,
    limits: options.limits ?? memoryLimiterStore(),
    idPattern: options.idPattern ?? DEFAULT_ID_PATTERN,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    maxFiles: positive('maxFiles', options.maxFiles, DEFAULTS.maxFiles),
    onError: options.onError,
  };
}
