import {
  type Backend,
  type BackendStats,
  checkObjectMetadata,
  type DirectTransfers,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  type PutOptions,
  RESERVED_END,
  RESERVED_PREFIX,
  throwIfAborted,
} from '@att/store-core';
import { S3Client } from './client.js';
import type { S3ClientConfig } from './config.js';
import { installRedaction } from './config.js';
import { s3DirectTransfers } from './direct.js';
import { S3Resumable, UPLOADS_PREFIX } from './resumable.js';
import { parseS3Url } from './url.js';

/**
 * The store-core `Backend` on S3. Keys map to `<prefix>/<key>`; content type and metadata are object metadata;
 * `cleanupIncomplete` aborts the prefix's multipart uploads started before the cutoff. Accepts a client config,
 * an `s3://` URL (see `parseS3Url`), or an existing `S3Client` (which `close()` then closes too).
 */
export interface S3Backend extends Backend {
  /** The client underneath, for S3-only operations (presigned URLs, multipart listing). */
  readonly client: S3Client;
  /** Resumable uploads (tus) with their state in the bucket (resumable.ts). */
  readonly resumable: S3Resumable;
  /** Presigned transfers for browsers uploading and downloading straight to the bucket (direct.ts). */
  readonly direct: DirectTransfers;
  /** The part buffers' bytes and budget (for metrics). */
  stats(): BackendStats;
  /** Readiness: one one-key listing (bucket present, region right, credentials accepted). Always present on S3. */
  check(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

export function s3Backend(config: S3ClientConfig | string | URL | S3Client): S3Backend {
  const client =
    config instanceof S3Client
      ? config
      : new S3Client(typeof config === 'string' || config instanceof URL ? parseS3Url(String(config)) : config);
  const resumable = new S3Resumable(client);
  const backend = {
    client,
    resumable,
    direct: s3DirectTransfers(client),
    // ListObjectsV2 shows no metadata and lists in UTF-8 byte order with start-after: the Store keeps its expiry index.
    listsMetadata: false,
    async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<ObjectInfo> {
      // The Backend contract's metadata rules (the client alone also takes UTF-8 values, as encoded words).
      checkObjectMetadata(options.metadata);
      return client.putObject(key, body, options);
    },
    get(key: string, options: GetOptions = {}) {
      return client.getObject(key, options);
    },
    head(key: string, options: { signal?: AbortSignal } = {}) {
      return client.headObject(key, options);
    },
    delete(keys: string[], options: { signal?: AbortSignal } = {}): Promise<void> {
      return client.deleteObjects(keys, options);
    },
    async *list(options: ListOptions = {}): AsyncIterable<ObjectInfo> {
      // The Store's own keys (its expiry index, under RESERVED_PREFIX) are listed only when the prefix asks for
      // them. Elsewhere the listing skips their range with start-after instead of paging through it (once: a
      // server that ignored start-after is read on, its reserved keys dropped).
      const hide = !(options.prefix ?? '').startsWith(RESERVED_PREFIX);
      let startAfter = options.startAfter;
      let jumped = false;
      for (;;) {
        let jump = false;
        for await (const object of client.listObjects({ ...options, startAfter })) {
          // A fetched page is not a reason to go on listing after an abort.
          throwIfAborted(options.signal, 'listing');
          if (hide && object.key.startsWith(RESERVED_PREFIX)) {
            if (jumped || (startAfter !== undefined && startAfter >= RESERVED_END)) continue;
            jump = true;
            break;
          }
          // Resumable uploads keep their state under UPLOADS_PREFIX: never objects of their own.
          if (!object.key.startsWith(UPLOADS_PREFIX)) yield object;
        }
        if (!jump) return;
        jumped = true;
        startAfter = RESERVED_END;
      }
    },
    async check(options: { signal?: AbortSignal } = {}): Promise<void> {
      // One ListObjectsV2 of one key under the prefix: the bucket exists, the region is right, the credentials sign
      // and may list (what cleanup and sync need). NoSuchBucket is BACKEND_UNAVAILABLE (errors.ts).
      for await (const _ of client.listObjects({ pageSize: 1, signal: options.signal })) break;
    },
    async cleanupIncomplete(olderThan: Date): Promise<number> {
      // A resumable upload is stale by its last append, not by when its multipart upload started.
      const { removed, live } = await resumable.cleanup(olderThan);
      return (
        removed + (await client.abortIncompleteUploads(olderThan, { keep: (upload) => live.has(upload.uploadId) }))
      );
    },
    stats() {
      return client.bufferStats;
    },
    close(): Promise<void> {
      return client.close();
    },
  };
  installRedaction(backend, () => ({ client: client.toJSON() }), 'S3Backend');
  return backend;
}
