/**
 * The resumable capability of the memory backend, and the reference for implementing it: an upload is a list of
 * received chunks plus its facts; `complete` joins them and publishes through the backend's own object map in
 * one step, so nothing is ever half visible.
 */
import type { ObjectInfo, Resumable, ResumableCreateOptions, ResumableStatus } from '../backend.js';
import { checkObjectMetadata } from '../object-metadata.js';
import { boundedBody, checkAppend, checkCreateLength, incomplete, notAnUpload } from '../resumable.js';
import { throwIfAborted } from '../streams.js';

export interface PendingUpload {
  status: ResumableStatus;
  chunks: Uint8Array[];
}

function copyStatus(status: ResumableStatus): ResumableStatus {
  return {
    ...status,
    createdAt: new Date(status.createdAt),
    updatedAt: new Date(status.updatedAt),
    ...(status.metadata ? { metadata: { ...status.metadata } } : {}),
  };
}

/** `publish` stores a finished object under its key (the memory backend's own map, so `get` sees it at once). */
export function createMemoryResumable(
  uploads: Map<string, PendingUpload>,
  checkKey: (key: string) => void,
  publish: (key: string, data: Buffer, status: ResumableStatus) => ObjectInfo,
): Resumable & { cleanup(olderThan: Date): number } {
  function find(key: string): PendingUpload {
    checkKey(key);
    const upload = uploads.get(key);
    if (!upload) throw notAnUpload();
    return upload;
  }

  return {
    async create(key: string, options: ResumableCreateOptions = {}): Promise<ResumableStatus> {
      checkKey(key);
      checkCreateLength(options.length);
      checkObjectMetadata(options.metadata);
      throwIfAborted(options.signal, 'upload');
      const now = new Date();
      const status: ResumableStatus = { key, offset: 0, createdAt: now, updatedAt: now };
      if (options.length !== undefined) status.length = options.length;
      if (options.contentType !== undefined) status.contentType = options.contentType;
      if (options.metadata) status.metadata = { ...options.metadata };
      uploads.set(key, { status, chunks: [] });
      return copyStatus(status);
    },

    async append(key, offset, body, options = {}): Promise<ResumableStatus> {
      const upload = find(key);
      const { length, maxBytes } = checkAppend(upload.status, offset, options);
      const received: Uint8Array[] = [];
      let failure: unknown;
      try {
        for await (const chunk of boundedBody(body, maxBytes, options.signal)) received.push(Buffer.from(chunk));
        await options.verify?.();
      } catch (err) {
        failure = err;
        // Bytes that cannot be verified are never kept; unverified appends keep what arrived before a failure.
        if (options.verify) throw err;
      }
      // The upload may have been aborted meanwhile: bytes for a removed upload go nowhere.
      if (uploads.get(key) !== upload) throw failure ?? notAnUpload();
      for (const chunk of received) {
        upload.chunks.push(chunk);
        upload.status.offset += chunk.byteLength;
      }
      if (length !== undefined) upload.status.length = length;
      upload.status.updatedAt = new Date();
      if (failure !== undefined) throw failure;
      return copyStatus(upload.status);
    },

    async status(key: string): Promise<ResumableStatus> {
      return copyStatus(find(key).status);
    },

    async complete(key: string): Promise<ObjectInfo> {
      const upload = find(key);
      if (upload.status.length === undefined || upload.status.offset !== upload.status.length) {
        throw incomplete(upload.status);
      }
      uploads.delete(key);
      return publish(key, Buffer.concat(upload.chunks), upload.status);
    },

    async abort(key: string): Promise<void> {
      checkKey(key);
      uploads.delete(key);
    },

    cleanup(olderThan: Date): number {
      let removed = 0;
      for (const [key, upload] of uploads) {
        if (upload.status.updatedAt < olderThan) {
          uploads.delete(key);
          removed++;
        }
      }
      return removed;
    },
  };
}
