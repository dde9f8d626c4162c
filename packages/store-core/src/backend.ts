import type { Readable } from 'node:stream';

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
}
