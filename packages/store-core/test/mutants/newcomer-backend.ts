/**
 * A correct in-memory backend, written in small overridable steps so each mutant in this folder can plant exactly
 * one bug a newcomer writes. It passes every check of the backend suite; each mutant fails exactly one.
 * Instances given the same `objects` map share their storage, like two processes on one bucket.
 */
import type { Backend, GetOptions, GetResult, ListOptions, ObjectInfo, PutOptions } from '../../src/backend.js';
import { AttError } from '../../src/errors.js';
import { meter } from '../../src/meter.js';
import { checkObjectMetadata } from '../../src/object-metadata.js';
import { resolveRange, throwIfAborted, toReadable } from '../../src/streams.js';

export interface StoredObject {
  chunks: Uint8Array[];
  info: ObjectInfo;
}

export type SharedObjects = Map<string, StoredObject>;

export function copyInfo(info: ObjectInfo): ObjectInfo {
  return { ...info, lastModified: new Date(info.lastModified), metadata: { ...info.metadata } };
}

export class NewcomerBackend implements Backend {
  constructor(protected readonly objects: SharedObjects = new Map()) {}

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<ObjectInfo> {
    this.checkMetadata(options.metadata);
    const chunks: Uint8Array[] = [];
    for await (const chunk of meter(body, { signal: options.signal, expectedSize: options.size })) {
      chunks.push(this.keep(chunk));
    }
    throwIfAborted(options.signal, 'upload');
    const info: ObjectInfo = {
      key,
      size: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
      lastModified: new Date(),
      metadata: { ...options.metadata },
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
    this.publish(key, { chunks, info });
    return copyInfo(info);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    throwIfAborted(options.signal, 'download');
    const { chunks, info } = this.find(key);
    const data = Buffer.concat(chunks);
    if (!options.range) return { info: copyInfo(info), body: toReadable(this.bodyOf(data, options.signal)) };
    const range = resolveRange(options.range, data.length);
    const body = toReadable(this.bodyOf(data.subarray(range.start, range.end + 1), options.signal));
    return { info: copyInfo(info), body, range };
  }

  async head(key: string): Promise<ObjectInfo> {
    return copyInfo(this.find(key).info);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  async *list(options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ?? '';
    for (const { info } of this.objects.values()) {
      throwIfAborted(options.signal, 'listing');
      if (info.key.startsWith(prefix)) yield copyInfo(info);
    }
  }

  async cleanupIncomplete(): Promise<number> {
    return 0;
  }

  protected checkMetadata(metadata: Record<string, string> | undefined): void {
    checkObjectMetadata(metadata);
  }

  /** What put keeps of a chunk: a copy, because the caller owns the chunk again once put resolves. */
  protected keep(chunk: Uint8Array): Uint8Array {
    return Buffer.from(chunk);
  }

  protected publish(key: string, stored: StoredObject): void {
    this.objects.set(key, stored);
  }

  protected find(key: string): StoredObject {
    const found = this.objects.get(key);
    if (!found) throw new AttError('NOT_FOUND', 'object not found');
    return found;
  }

  /** A get body in 64 KiB chunks, ending with ABORTED as soon as `signal` aborts. */
  protected *bodyOf(data: Buffer, signal: AbortSignal | undefined): Generator<Buffer> {
    for (let offset = 0; offset < data.length; offset += 64 * 1024) {
      throwIfAborted(signal, 'download');
      yield data.subarray(offset, offset + 64 * 1024);
    }
  }
}
