/**
 * Resumable uploads on S3, with all their state in the bucket, so any instance (or a restarted one) takes the next
 * append. Per upload, under the client's prefix:
 * - `.att-uploads/<sha256(key)>.json`: the state (length, part size, parts done with their ETags, tail segments);
 * - `.att-uploads/<sha256(key)>/<generation>/<offset>`: tail segments, the bytes that do not fill a part yet;
 * - one multipart upload on the key itself, started when the first full part is ready (small uploads never start
 *   one: `complete` PUTs them whole). CompleteMultipartUpload (or that PUT) is the atomic publish.
 *
 * Why tail segments: S3 parts must be ≥ 5 MiB (but the last), and tus clients send any size. Bytes short of a part
 * are stored as a new segment object per append, never rewritten; when a part fills, its segments are read once
 * into the part buffer and uploaded ahead of the new bytes. So a growing tail is never downloaded again. An append
 * that ends with 5 MiB or more short of a part uploads them as a shorter part of their own instead (while 10,000
 * parts still hold the rest), so chunks just under a part do not pass through a segment each.
 * Parts are `partSize` bytes, chosen from the length so that 5 TiB fits in 10,000 parts (a deferred length grows
 * the parts still to come once it is declared). Memory per upload is one part: a buffer from the client's shared
 * pool (`maxBufferedBytes`), taken when the first byte arrives, reused for every part of the append and given back
 * when it ends, so appends wait for a buffer (backpressure) rather than allocate past the budget, and back-to-back
 * PATCHes reuse the same memory.
 *
 * Cases, and why each is safe (the state object is the commit point; it is written last):
 * | event                                        | outcome                                                        |
 * | parts/segments written, state write lost     | state still says the old offset; those part numbers and        |
 * |                                              | segment names are written again by the next append (overwrite) |
 * | body fails midway (no verify)                | full parts are kept, the rest becomes a segment, state written  |
 * | verify rejects, or body fails with verify    | nothing is written to the state: the append never happened      |
 * | consumed segments not deleted after a part   | orphans under the upload's folder: removed by abort/complete    |
 * | Complete succeeded, state delete lost        | next complete: NoSuchUpload + the object exists → done          |
 * | two instances append at once                 | callers serialize (the tus layer holds a Lease); not handled here |
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type AppendOptions,
  AttError,
  boundedBody,
  checkAppend,
  checkCreateLength,
  checkObjectMetadata,
  incomplete,
  isAttError,
  notAnUpload,
  type ObjectInfo,
  type Resumable,
  type ResumableCreateOptions,
  type ResumableStatus,
} from '@att/store-core';
import type { S3Client } from './client.js';
import { MAX_PARTS, MIB, MIN_PART_SIZE } from './config.js';
import { metadataHeaders } from './metadata.js';

/** Where upload state lives, under the client's prefix. Backends skip it in listings. */
export const UPLOADS_PREFIX = '.att-uploads/';

interface Segment {
  offset: number;
  size: number;
}

export interface UploadState {
  key: string;
  /** Names this upload's segments, so those of an upload it replaced never mix in. */
  generation: string;
  length?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  partSize: number;
  uploadId?: string;
  /**
   * ETags and sizes of parts 1..n: `partSize` long when the bytes filled a part, at least 5 MiB when an append
   * ended with that much short of a part (fitsAsPart), any size for the last.
   */
  parts: Array<{ etag: string; size: number }>;
  tail: Segment[];
  offset: number;
}

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function stateKey(key: string): string {
  return `${UPLOADS_PREFIX}${hashOf(key)}.json`;
}

function segmentKey(state: UploadState, offset: number): string {
  return `${UPLOADS_PREFIX}${hashOf(state.key)}/${state.generation}/${String(offset).padStart(16, '0')}`;
}

/**
 * Whether `bytes` at the end of an append may go up as a part shorter than `partSize` (S3 takes parts of any size
 * from 5 MiB): only with a known length, and only while the bytes still to come fit in the parts left at
 * `partSize`, so that 10,000 parts still hold the whole upload.
 */
export function fitsAsPart(state: UploadState, bytes: number, partSize: number): boolean {
  if (bytes < MIN_PART_SIZE || state.length === undefined) return false;
  const done = state.parts.reduce((total, part) => total + part.size, 0) + bytes;
  const partsLeft = MAX_PARTS - state.parts.length - 1;
  return state.length - done <= partsLeft * partSize;
}

/** Parts for the bytes still to come: the base size, grown so that what is left fits in the parts left. */
export function choosePartSize(base: number, length: number | undefined, done: number, partsDone: number): number {
  if (length === undefined) return base;
  const needed = Math.ceil((length - done) / Math.max(1, MAX_PARTS - partsDone));
  return Math.max(base, Math.ceil(needed / MIB) * MIB);
}

function toStatus(state: UploadState): ResumableStatus {
  const status: ResumableStatus = {
    key: state.key,
    offset: state.offset,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(state.updatedAt),
  };
  if (state.length !== undefined) status.length = state.length;
  if (state.contentType !== undefined) status.contentType = state.contentType;
  if (state.metadata) status.metadata = { ...state.metadata };
  return status;
}

async function readInto(client: S3Client, key: string, target: Buffer, at: number, signal?: AbortSignal) {
  const { body } = await client.getObject(key, signal ? { signal } : {});
  let position = at;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (position + chunk.length > target.length) {
      body.destroy();
      throw new AttError('BACKEND_ERROR', 'S3 resumable upload: a tail segment is longer than recorded');
    }
    chunk.copy(target, position);
    position += chunk.length;
  }
  return position - at;
}

export class S3Resumable implements Resumable {
  readonly #client: S3Client;
  readonly #basePartSize: number;

  constructor(client: S3Client) {
    this.#client = client;
    this.#basePartSize = Math.max(MIN_PART_SIZE, client.config.partSize);
  }

  async #read(key: string, signal?: AbortSignal): Promise<UploadState> {
    if (typeof key !== 'string' || key.length === 0) throw new AttError('INVALID_ID', 'S3 key must be non-empty');
    let text: string;
    try {
      const { body } = await this.#client.getObject(stateKey(key), signal ? { signal } : {});
      const chunks: Buffer[] = [];
      for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
      text = Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      if (isAttError(err, 'NOT_FOUND')) throw notAnUpload();
      throw err;
    }
    const state = JSON.parse(text) as UploadState;
    if (state.key !== key) throw notAnUpload();
    return state;
  }

  async #write(state: UploadState, signal?: AbortSignal): Promise<void> {
    await this.#client.putObject(stateKey(state.key), JSON.stringify(state), {
      contentType: 'application/json',
      ...(signal ? { signal } : {}),
    });
  }

  /** Deletes every segment object of the upload's key (any generation). */
  async #dropSegments(key: string): Promise<void> {
    const keys: string[] = [];
    for await (const listed of this.#client.listObjects({ prefix: `${UPLOADS_PREFIX}${hashOf(key)}/` })) {
      keys.push(listed.key);
      if (keys.length === 1000) await this.#client.deleteObjects(keys.splice(0));
    }
    if (keys.length > 0) await this.#client.deleteObjects(keys);
  }

  async #discard(state: UploadState): Promise<void> {
    if (state.uploadId) await this.#client.abortMultipartUpload(state.key, state.uploadId);
    await this.#client.deleteObjects([stateKey(state.key)]);
    await this.#dropSegments(state.key);
  }

  async create(key: string, options: ResumableCreateOptions = {}): Promise<ResumableStatus> {
    checkCreateLength(options.length);
    checkObjectMetadata(options.metadata);
    const previous = await this.#read(key, options.signal).catch((err) =>
      isAttError(err, 'NOT_FOUND') ? undefined : Promise.reject(err),
    );
    if (previous) await this.#discard(previous);
    const now = Date.now();
    const state: UploadState = {
      key,
      generation: randomUUID(),
      createdAt: now,
      updatedAt: now,
      partSize: choosePartSize(this.#basePartSize, options.length, 0, 0),
      parts: [],
      tail: [],
      offset: 0,
    };
    if (options.length !== undefined) state.length = options.length;
    if (options.contentType !== undefined) state.contentType = options.contentType;
    if (options.metadata) state.metadata = { ...options.metadata };
    await this.#write(state, options.signal);
    return toStatus(state);
  }

  async append(
    key: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    options: AppendOptions = {},
  ): Promise<ResumableStatus> {
    const state = await this.#read(key, options.signal);
    const { length, maxBytes } = checkAppend(toStatus(state), offset, options);
    const partsBytes = state.parts.reduce((sum, part) => sum + part.size, 0);
    const partSize = choosePartSize(state.partSize, length, partsBytes, state.parts.length);
    const next: UploadState = { ...state, partSize, parts: [...state.parts], tail: [...state.tail] };
    if (length !== undefined) next.length = length;
    const consumed: Segment[] = [];
    let tailBytes = state.tail.reduce((sum, segment) => sum + segment.size, 0);
    const pool = this.#client.partBuffers;
    let part: Buffer | undefined;
    let filled = 0; // new bytes in `part`, after the tailBytes reserved for the segments
    let partFailed = false;

    const uploadPart = async (size: number) => {
      const buffer = part as Buffer;
      // The tail segments go in front of the new bytes, each read exactly once.
      let at = 0;
      for (const segment of next.tail) at += await readInto(this.#client, segmentKey(next, segment.offset), buffer, at);
      if (at !== tailBytes) throw new AttError('BACKEND_ERROR', 'S3 resumable upload: a tail segment is missing');
      if (!next.uploadId) {
        const headers: Record<string, string> = { 'content-type': next.contentType || 'application/octet-stream' };
        metadataHeaders(next.metadata, headers);
        next.uploadId = await this.#client.createMultipartUpload(key, headers);
        // Recorded at once: a later failure must still be able to abort this multipart upload.
        await this.#write({ ...state, uploadId: next.uploadId });
        state.uploadId = next.uploadId;
      }
      let etag: string;
      try {
        etag = await this.#client.uploadPart(
          key,
          next.uploadId,
          next.parts.length + 1,
          buffer.subarray(0, size),
          options.signal ? { signal: options.signal } : {},
        );
      } catch (err) {
        partFailed = true; // the part's new bytes are lost; the offset stays before them
        throw err;
      }
      next.parts.push({ etag, size });
      consumed.push(...next.tail);
      next.tail = [];
      tailBytes = 0;
      filled = 0;
    };

    try {
      let failure: unknown;
      try {
        for await (const chunk of boundedBody(body, maxBytes, options.signal)) {
          let rest = chunk;
          while (rest.byteLength > 0) {
            part ??= await pool.take(partSize, options.signal);
            const take = Math.min(rest.byteLength, partSize - tailBytes - filled);
            part.set(rest.subarray(0, take), tailBytes + filled);
            filled += take;
            rest = rest.subarray(take);
            if (tailBytes + filled === partSize) await uploadPart(partSize);
          }
        }
        await options.verify?.();
      } catch (err) {
        failure = err;
        if (options.verify) throw err;
      }
      const sum = (items: Array<{ size: number }>) => items.reduce((total, item) => total + item.size, 0);
      try {
        const kept = sum(next.parts) + sum(next.tail);
        const finished = next.length !== undefined && kept + filled === next.length;
        if (filled > 0 && !partFailed && finished && next.parts.length > 0) {
          await uploadPart(tailBytes + filled); // the short last part
        } else if (filled > 0 && !partFailed && fitsAsPart(next, tailBytes + filled, partSize)) {
          // Enough for a part of its own: stored as a segment, these bytes would be written and read back again.
          await uploadPart(tailBytes + filled);
        } else if (filled > 0 && !partFailed) {
          const segment = { offset: kept, size: filled };
          await this.#client.putObject(
            segmentKey(next, segment.offset),
            (part as Buffer).subarray(tailBytes, tailBytes + filled),
          );
          next.tail.push(segment);
        }
        next.offset = sum(next.parts) + sum(next.tail);
        next.updatedAt = Date.now();
        await this.#write(next);
      } catch (err) {
        throw failure ?? err;
      }
      if (consumed.length > 0) {
        await this.#client.deleteObjects(consumed.map((segment) => segmentKey(next, segment.offset))).catch(() => {});
      }
      if (failure !== undefined) throw failure;
      return toStatus(next);
    } finally {
      // The buffer is free again once nothing uses it: every part and segment request has answered.
      if (part) pool.give(part);
    }
  }

  async status(key: string, options: { signal?: AbortSignal } = {}): Promise<ResumableStatus> {
    return toStatus(await this.#read(key, options.signal));
  }

  async complete(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const state = await this.#read(key, options.signal);
    if (state.length === undefined || state.offset !== state.length) throw incomplete(toStatus(state));
    const tailBytes = state.tail.reduce((sum, segment) => sum + segment.size, 0);
    // The tail (≤ one part) is read into a pooled buffer of the upload's part size, so it reuses the appends' memory.
    const buffer = tailBytes > 0 ? await this.#client.partBuffers.take(Math.max(state.partSize, tailBytes)) : undefined;
    let info: ObjectInfo;
    try {
      const tail = buffer ? buffer.subarray(0, tailBytes) : Buffer.alloc(0);
      let at = 0;
      for (const segment of state.tail) at += await readInto(this.#client, segmentKey(state, segment.offset), tail, at);
      if (!state.uploadId) {
        info = await this.#client.putObject(key, tail, {
          contentType: state.contentType || 'application/octet-stream',
          ...(state.metadata ? { metadata: state.metadata } : {}),
        });
      } else {
        const etags = state.parts.map((part) => part.etag);
        if (tailBytes > 0) etags.push(await this.#client.uploadPart(key, state.uploadId, etags.length + 1, tail));
        try {
          await this.#client.completeMultipartUpload(key, state.uploadId, etags);
        } catch (err) {
          // An earlier complete may have succeeded and lost only its cleanup: then the object is there.
          if (!isAttError(err, 'NOT_FOUND')) throw err;
        }
        info = await this.#client.headObject(key);
      }
    } finally {
      if (buffer) this.#client.partBuffers.give(buffer);
    }
    await this.#client.deleteObjects([stateKey(key)]);
    await this.#dropSegments(key).catch(() => {});
    return info;
  }

  async abort(key: string): Promise<void> {
    const state = await this.#read(key).catch((err) =>
      isAttError(err, 'NOT_FOUND') ? undefined : Promise.reject(err),
    );
    if (state) await this.#discard(state);
  }

  /**
   * Aborts uploads idle since before `olderThan` and drops segments no state names. Returns how many uploads it
   * removed and the multipart upload ids of those still live (which the stale-multipart sweep must leave alone).
   */
  async cleanup(olderThan: Date): Promise<{ removed: number; live: Set<string> }> {
    const live = new Set<string>();
    const stale = new Set<string>();
    const withState = new Set<string>();
    let removed = 0;
    for await (const listed of this.#client.listObjects({ prefix: UPLOADS_PREFIX })) {
      const name = listed.key.slice(UPLOADS_PREFIX.length);
      if (name.endsWith('.json') && !name.includes('/')) {
        const hash = name.slice(0, -'.json'.length);
        let state: UploadState;
        try {
          const { body } = await this.#client.getObject(listed.key);
          const chunks: Buffer[] = [];
          for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
          state = JSON.parse(Buffer.concat(chunks).toString('utf8')) as UploadState;
        } catch (err) {
          if (isAttError(err, 'NOT_FOUND')) continue;
          throw err;
        }
        if (state.updatedAt < olderThan.getTime()) {
          await this.#discard(state);
          stale.add(hash);
          removed++;
        } else {
          withState.add(hash);
          if (state.uploadId) live.add(state.uploadId);
        }
      } else {
        // A segment: ListObjectsV2 sorts `<hash>.json` before `<hash>/…`, so its state was seen first if any.
        const hash = name.split('/')[0] ?? '';
        if (!withState.has(hash) && !stale.has(hash) && listed.lastModified < olderThan) {
          await this.#client.deleteObjects([listed.key]);
        }
      }
    }
    return { removed, live };
  }
}
