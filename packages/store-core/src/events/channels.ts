/**
 * The names and payloads of att's diagnostics channels: the contract between the code that reports (Store,
 * middleware, S3 client) and whoever listens (an app, @att/otel). Publishing costs one `hasSubscribers` check
 * when nobody listens, so the hot path reports unconditionally and builds its message only for a listener.
 */
import { channel } from 'node:diagnostics_channel';
import type { CleanupResult } from '../store/cleanup.js';

/** A write that published its object. `durationMs` runs from `prepareWrite` (limits checked) to the publish. */
export interface WriteEvent {
  id: string;
  size: number;
  durationMs: number;
}

/**
 * A write that stored nothing; `code` is the AttError code (`INTERNAL` for anything else). Writes refused for an
 * invalid id are not reported: there is no id to name (the HTTP layer's request event counts them).
 */
export interface WriteFailedEvent {
  id: string;
  code: string;
  /** Body bytes read before the failure (0 when refused before any byte). */
  bytesReceived: number;
  durationMs: number;
}

/** An attachment deleted by `remove()` (`request`) or by cleanup as an orphan nobody references (`orphan`). */
export interface RemoveEvent {
  id: string;
  size: number;
  reason: 'request' | 'orphan';
}

/** An attachment deleted by cleanup because it expired. */
export interface ExpireEvent {
  id: string;
  size: number;
}

/** One cleanup pass ended (also when another process held the lease: `skipped`). */
export interface CleanupEvent extends CleanupResult {
  durationMs: number;
}

/** A listing pass (`sync()` or cleanup) compared the stored total with the backend. */
export interface SyncEvent {
  objects: number;
  bytes: number;
  /** Listed bytes minus the total the ledger held: what was corrected (0: no drift). */
  drift: number;
}

export interface StoreEventMap {
  write: WriteEvent;
  writeFailed: WriteFailedEvent;
  remove: RemoveEvent;
  expire: ExpireEvent;
  cleanup: CleanupEvent;
  sync: SyncEvent;
}

export type StoreEventName = keyof StoreEventMap;

/** Channel names of the Store's events; each message is the event plus `store` (the Store that emitted it). */
export const STORE_CHANNELS: { readonly [K in StoreEventName]: string } = {
  write: 'att:store:write',
  writeFailed: 'att:store:writeFailed',
  remove: 'att:store:remove',
  expire: 'att:store:expire',
  cleanup: 'att:store:cleanup',
  sync: 'att:store:sync',
};

/** One message per HTTP request the attachments middleware served (published when the response ends). */
export const HTTP_REQUEST_CHANNEL = 'att:http:request';

export interface HttpRequestEvent {
  /** What the request was: upload, download, delete, tus (resumable), hostile (refused path). */
  route: string;
  method: string;
  status: number;
  /** The error code answered (absent on success). */
  code?: string;
  /** Request body bytes read from the connection (request headers not included). */
  bytesIn: number;
  /** Bytes written to the connection for this request, response headers included. */
  bytesOut: number;
  /** A keyed hash of the visitor key (per middleware instance), never the key itself. */
  visitorHash: string;
  /** The raw visitor key (an IP by default): only when the app opted in (`reportVisitor: 'raw'`). */
  visitor?: string;
  durationMs: number;
  /** False when the client went away before the response ended. */
  completed: boolean;
}

/**
 * Each S3 request of @att/backend-s3 (all its attempts): `start` is published in the caller's async context with
 * the message, `end` with the same object completed (status, code, attempts, retries, durationMs).
 */
export const S3_REQUEST_START_CHANNEL = 'att:s3:request:start';
export const S3_REQUEST_END_CHANNEL = 'att:s3:request:end';

export interface S3RequestMessage {
  /** The S3 API operation (PutObject, GetObject, ListObjectsV2, …). */
  operation: string;
  method: string;
  bucket: string;
  /** Set at the end: the last attempt's HTTP status (0 when no answer came: timeout, reset, abort). */
  status?: number;
  /** Set at the end: the AttError code of a failed request. */
  code?: string;
  /** Attempts made (1 = no retry). */
  attempts: number;
  /** One entry per retry: why the previous attempt was not kept (an HTTP status, or an error code). */
  retries: string[];
  durationMs?: number;
}

export const storeChannels = {
  write: channel(STORE_CHANNELS.write),
  writeFailed: channel(STORE_CHANNELS.writeFailed),
  remove: channel(STORE_CHANNELS.remove),
  expire: channel(STORE_CHANNELS.expire),
  cleanup: channel(STORE_CHANNELS.cleanup),
  sync: channel(STORE_CHANNELS.sync),
} as const;
