import type { Readable } from 'node:stream';
import type { DirectTransfers } from './direct.js';

/** What a backend knows about one stored object. */
export interface ObjectInfo {
  /** The key as given to `put` (relative to the backend's own root or prefix). */
  key: string;
  /** Size of the whole object in bytes (also for range reads). */
  size: number;
  lastModified: Date;
  contentType?: string;
  /** User metadata, string to string: lower-case keys `[a-z0-9-]`, printable ASCII values (`checkObjectMetadata`). */
  metadata?: Record<string, string>;
  etag?: string;
}

/** A byte range; `end` is inclusive (HTTP/S3 style) and defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface PutOptions {
  /** Declared size; a body of another length fails with SIZE_MISMATCH and leaves nothing. */
  size?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  /**
   * RFC 6266 Content-Disposition (printable ASCII) the Store serves the object with. A backend that stores response
   * headers with objects (S3) stores it, so downloads that bypass att (CDN, presigned URL) name the file alike;
   * others may ignore it: it is never read back (the Store derives it from the filename).
   */
  contentDisposition?: string;
  signal?: AbortSignal;
}

export interface GetOptions {
  range?: ByteRange;
  signal?: AbortSignal;
}

export interface GetResult {
  info: ObjectInfo;
  body: Readable;
  /** The satisfied range (inclusive), present when a range was asked for. */
  range?: { start: number; end: number };
}

export interface ListOptions {
  prefix?: string;
  /**
   * Only keys sorting after this one (UTF-8 byte order), as S3's `start-after`. Optional for a backend whose listing
   * has no order; callers drop keys they have already seen, so one that ignores it costs time, never correctness.
   */
  startAfter?: string;
  signal?: AbortSignal;
}

/**
 * The storage contract every backend implements. Small and stream-first:
 * - `put` never leaves a partial object visible: a failed or aborted put leaves nothing under the key.
 * - missing objects throw AttError NOT_FOUND; `delete` is idempotent and resolves to nothing.
 * - `list` order is unspecified; it must stream (no whole-listing arrays).
 */
export interface Backend {
  put(key: string, body: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<ObjectInfo>;
  get(key: string, options?: GetOptions): Promise<GetResult>;
  head(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo>;
  delete(keys: string[], options?: { signal?: AbortSignal }): Promise<void>;
  list(options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** Removes incomplete uploads (temp files, multipart uploads) started before `olderThan`; returns how many. */
  cleanupIncomplete(olderThan: Date): Promise<number>;
  close?(): Promise<void>;
  /**
   * False when `list()` yields no metadata (S3's ListObjectsV2) and lists in UTF-8 byte order honouring
   * `startAfter`: the Store then keeps per-write expiries in an index beside the objects (store/expiry-index.ts),
   * so cleanup needs no HEAD per object. Absent or true: listings carry metadata (or the Store HEADs what they lack).
   */
  readonly listsMetadata?: boolean;
  /**
   * Optional readiness probe, cheap enough for a health endpoint: resolves when the storage can be used now
   * (directory writable, bucket present and these credentials accepted), throws an AttError otherwise
   * (BACKEND_UNAVAILABLE, ACCESS_DENIED, INVALID_CONFIG…). Absent: `Store.check` reads the first listed entry.
   */
  check?(options?: { signal?: AbortSignal }): Promise<void>;
  /** Optional: uploads written in pieces over many requests (tus). Absent: the backend does not offer it. */
  resumable?: Resumable;
  /** Optional: presigned URLs so clients move bytes straight to or from the storage (direct.ts). */
  direct?: DirectTransfers;
  /** Optional: figures about the backend's own resources, read (no I/O) by metrics (@att/otel). */
  stats?(): BackendStats;
}

/** What a backend reports about itself; every field optional. */
export interface BackendStats {
  /** Bytes of upload buffers the backend holds now (in use or kept for reuse). */
  bufferedBytes?: number;
  /** The most bytes those buffers may take. */
  bufferBudget?: number;
}

/** Where a resumable upload stands, as stored (so any process, or a restarted one, sees the same). */
export interface ResumableStatus {
  key: string;
  /** Bytes received and durably stored, in order from byte 0. */
  offset: number;
  /** Final size; undefined while deferred (declared by a later `append`). */
  length?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  createdAt: Date;
  /** Time of the last append (or the creation): what staleness is measured from. */
  updatedAt: Date;
}

export interface ResumableCreateOptions {
  /** Final size in bytes; absent defers it. */
  length?: number;
  /** Content type and metadata of the object `complete` publishes (same rules as `put`). */
  contentType?: string;
  metadata?: Record<string, string>;
  /** Content-Disposition of the published object, as `PutOptions.contentDisposition` (stored where headers are). */
  contentDisposition?: string;
  signal?: AbortSignal;
}

export interface AppendOptions {
  /** Declares a deferred length (once; it may not be below the offset after this append). */
  length?: number;
  signal?: AbortSignal;
  /**
   * Runs after the body ended, before its bytes count. With `verify`, the append is all or nothing: a rejection
   * or a failing body discards every byte of it (bytes that cannot be verified are never kept).
   */
  verify?: () => void | Promise<void>;
}

/**
 * Resumable uploads: the object is written in appends, across requests, processes and restarts, then published.
 * - Nothing is visible under `key` (`get`, `head`, `list`) until `complete` resolves, and then the whole object is.
 * - `append` at an offset other than the stored one fails with CONFLICT and changes nothing. When the body fails
 *   midway, the bytes it yielded before the failure are kept (a broken connection resumes from there), unless
 *   `verify` was given. Bytes past a known length fail with SIZE_MISMATCH.
 * - An acknowledged append is durable: a new backend instance on the same storage sees its offset.
 * - Appends to one upload must not overlap: callers serialize them (the tus layer holds a lock or lease).
 * - Unknown uploads throw NOT_FOUND; `abort` is idempotent and leaves nothing; `cleanupIncomplete(olderThan)`
 *   also aborts uploads whose `updatedAt` is older than the cutoff.
 */
export interface Resumable {
  /** Starts an upload under `key`; a pending upload under the same key is replaced. */
  create(key: string, options?: ResumableCreateOptions): Promise<ResumableStatus>;
  append(
    key: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    options?: AppendOptions,
  ): Promise<ResumableStatus>;
  status(key: string, options?: { signal?: AbortSignal }): Promise<ResumableStatus>;
  /** Publishes the object atomically once `offset === length` (else SIZE_MISMATCH); the upload is then gone. */
  complete(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo>;
  abort(key: string, options?: { signal?: AbortSignal }): Promise<void>;
}
