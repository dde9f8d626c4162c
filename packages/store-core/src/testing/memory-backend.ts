/**
 * A complete Backend that keeps objects in memory. It passes the conformance suite and is the reference example
 * for writing a backend: every rule of the contract is visible here in a few lines.
 */
import type { Backend, GetOptions, GetResult, ListOptions, ObjectInfo, PutOptions } from '../backend.js';
import { AttError } from '../errors.js';
import { meter } from '../meter.js';
import { checkObjectMetadata } from '../object-metadata.js';
import { resolveRange, throwIfAborted, toReadable } from '../streams.js';
import { createMemoryResumable, type PendingUpload } from './memory-resumable.js';

export interface StoredObject {
  data: Buffer;
  info: ObjectInfo;
}

export interface MemoryBackendOptions {
  /** Size of the chunks `get` streams out. Default 64 KiB. */
  chunkSize?: number;
  /** Objects and pending uploads; backends given the same storage see the same data (like one disk). */
  storage?: MemoryStorage;
}

/** What a memory backend stores; share one between instances to test what survives a "restart". */
export interface MemoryStorage {
  readonly objects: Map<string, StoredObject>;
  readonly uploads: Map<string, PendingUpload>;
}

export function createMemoryStorage(): MemoryStorage {
  return { objects: new Map(), uploads: new Map() };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024 || key.includes('\0')) {
    throw new AttError('INVALID_ID', 'invalid key');
  }
}

function copyInfo(info: ObjectInfo): ObjectInfo {
  return { ...info, lastModified: new Date(info.lastModified), metadata: { ...info.metadata } };
}

/** The body of a get: chunk by chunk, so an abort of `signal` mid-stream ends it (the client went away). */
function* chunksOf(data: Buffer, size: number, signal: AbortSignal | undefined): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) {
    throwIfAborted(signal, 'download');
    yield data.subarray(offset, offset + size);
  }
}

export function createMemoryBackend(options: MemoryBackendOptions = {}): Backend {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const { objects, uploads } = options.storage ?? createMemoryStorage();
  const resumable = createMemoryResumable(uploads, checkKey, (key, data, status) => {
    const info: ObjectInfo = { key, size: data.length, lastModified: new Date(), metadata: { ...status.metadata } };
    if (status.contentType !== undefined) info.contentType = status.contentType;
    objects.set(key, { data, info });
    return copyInfo(info);
  });

  function find(key: string): StoredObject {
    checkKey(key);
    const found = objects.get(key);
    if (!found) throw new AttError('NOT_FOUND', 'object not found');
    return found;
  }

  return {
    async put(key: string, body: AsyncIterable<Uint8Array>, put: PutOptions = {}): Promise<ObjectInfo> {
      checkKey(key);
      checkObjectMetadata(put.metadata);
      // Collect first, publish last: a failed or aborted body never becomes visible, and an old object survives.
      const chunks: Uint8Array[] = [];
      for await (const chunk of meter(body, { signal: put.signal, expectedSize: put.size })) chunks.push(chunk);
      throwIfAborted(put.signal, 'upload');
      const data = Buffer.concat(chunks);
      const info: ObjectInfo = {
        key,
        size: data.length,
        lastModified: new Date(),
        metadata: { ...put.metadata },
        ...(put.contentType === undefined ? {} : { contentType: put.contentType }),
      };
      objects.set(key, { data, info });
      return copyInfo(info);
    },

    async get(key: string, get: GetOptions = {}): Promise<GetResult> {
      throwIfAborted(get.signal, 'download');
      const { data, info } = find(key);
      if (!get.range) {
        return { info: copyInfo(info), body: toReadable(chunksOf(Buffer.from(data), chunkSize, get.signal)) };
      }
      const range = resolveRange(get.range, data.length);
      const slice = Buffer.from(data.subarray(range.start, range.end + 1));
      return { info: copyInfo(info), body: toReadable(chunksOf(slice, chunkSize, get.signal)), range };
    },

    async head(key: string): Promise<ObjectInfo> {
      return copyInfo(find(key).info);
    },

    async delete(keys: string[]): Promise<void> {
      for (const key of keys) checkKey(key);
      for (const key of keys) objects.delete(key);
    },

    async *list(list: ListOptions = {}): AsyncIterable<ObjectInfo> {
      const prefix = list.prefix ?? '';
      // Map iteration tolerates concurrent changes, so the listing streams without copying the key set.
      for (const { info } of objects.values()) {
        throwIfAborted(list.signal, 'listing');
        if (info.key.startsWith(prefix)) yield copyInfo(info);
      }
    },

    async cleanupIncomplete(olderThan: Date): Promise<number> {
      // Puts are never half-written here (bodies are collected before they are published); only uploads linger.
      return resumable.cleanup(olderThan);
    },

    resumable,
  };
}
