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
 * The object's headers (type, metadata, Content-Disposition, the client's Cache-Control and ACL) go on whichever
 * request creates it: CreateMultipartUpload, or that PUT. Where the client offers an upload checksum, the multipart
 * upload declares it, every part carries its CRC and the completion the whole object's, put together from the
 * parts' CRCs kept in the state. State and its names: resumable-state.ts; parts and checksums: resumable-parts.ts;
 * cleanup: resumable-cleanup.ts.
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
import { randomUUID } from 'node:crypto';
import {
  type AppendOptions,
  AttError,
  boundedBody,
  checkAppend,
  checkCreateLength,
  checkObjectMetadata,
  incomplete,
  isAttError,
  type ObjectInfo,
  type Resumable,
  type ResumableCreateOptions,
  type ResumableStatus,
} from '@att/store-core';
import type { S3Client } from './client.js';
import { MIN_PART_SIZE } from './config.js';
import { objectHeaders } from './object-headers.js';
import { cleanupUploads } from './resumable-cleanup.js';
import { choosePartSize, completionOf, fitsAsPart, sendPart, startMultipart } from './resumable-parts.js';
import {
  discardUpload,
  dropSegments,
  readSegmentInto,
  readState,
  type Segment,
  segmentKey,
  stateKey,
  toStatus,
  totalSize,
  type UploadedPart,
  type UploadState,
  writeState,
} from './resumable-state.js';
import { deadChunkCollector } from './young-gc.js';

export { UPLOADS_PREFIX } from './resumable-state.js';

export class S3Resumable implements Resumable {
  readonly #client: S3Client;
  readonly #basePartSize: number;

  constructor(client: S3Client) {
    this.#client = client;
    this.#basePartSize = Math.max(MIN_PART_SIZE, client.config.partSize);
  }

  async create(key: string, options: ResumableCreateOptions = {}): Promise<ResumableStatus> {
    checkCreateLength(options.length);
    checkObjectMetadata(options.metadata);
    // Checked now, not when the multipart upload or the final PUT is sent, bytes later.
    objectHeaders({ ...(options.contentDisposition ? { contentDisposition: options.contentDisposition } : {}) }, {});
    const previous = await readState(this.#client, key, options.signal).catch((err) =>
      isAttError(err, 'NOT_FOUND') ? undefined : Promise.reject(err),
    );
    if (previous) await discardUpload(this.#client, previous);
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
    if (options.contentDisposition) state.contentDisposition = options.contentDisposition;
    await writeState(this.#client, state, options.signal);
    return toStatus(state);
  }

  async append(
    key: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    options: AppendOptions = {},
  ): Promise<ResumableStatus> {
    const client = this.#client;
    const state = await readState(client, key, options.signal);
    const { length, maxBytes } = checkAppend(toStatus(state), offset, options);
    const partSize = choosePartSize(state.partSize, length, totalSize(state.parts), state.parts.length);
    const next: UploadState = { ...state, partSize, parts: [...state.parts], tail: [...state.tail] };
    if (length !== undefined) next.length = length;
    const consumed: Segment[] = [];
    let tailBytes = totalSize(state.tail);
    const pool = client.partBuffers;
    let part: Buffer | undefined;
    let filled = 0; // new bytes in `part`, after the tailBytes reserved for the segments
    let partFailed = false;
    const copied = deadChunkCollector(); // copied chunks are garbage: collected soon (young-gc.ts)

    const uploadPart = async (size: number) => {
      const buffer = part as Buffer;
      // The tail segments go in front of the new bytes, each read exactly once.
      let at = 0;
      for (const segment of next.tail)
        at += await readSegmentInto(client, segmentKey(next, segment.offset), buffer, at);
      if (at !== tailBytes) throw new AttError('BACKEND_ERROR', 'S3 resumable upload: a tail segment is missing');
      if (!next.uploadId) {
        Object.assign(next, await startMultipart(client, next));
        // Recorded at once: a later failure must still be able to abort this multipart upload.
        const started = { uploadId: next.uploadId, ...(next.checksum ? { checksum: next.checksum } : {}) };
        await writeState(client, { ...state, ...started });
        Object.assign(state, started);
      }
      let uploaded: UploadedPart;
      try {
        uploaded = await sendPart(client, next, next.parts.length + 1, buffer.subarray(0, size), options.signal);
      } catch (err) {
        partFailed = true; // the part's new bytes are lost; the offset stays before them
        throw err;
      }
      next.parts.push(uploaded);
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
            copied(take, partSize);
            rest = rest.subarray(take);
            if (tailBytes + filled === partSize) await uploadPart(partSize);
          }
        }
        await options.verify?.();
      } catch (err) {
        failure = err;
        if (options.verify) throw err;
      }
      try {
        const kept = totalSize(next.parts) + totalSize(next.tail);
        const finished = next.length !== undefined && kept + filled === next.length;
        if (filled > 0 && !partFailed && finished && next.parts.length > 0) {
          await uploadPart(tailBytes + filled); // the short last part
        } else if (filled > 0 && !partFailed && fitsAsPart(next, tailBytes + filled, partSize)) {
          // Enough for a part of its own: stored as a segment, these bytes would be written and read back again.
          await uploadPart(tailBytes + filled);
        } else if (filled > 0 && !partFailed) {
          const segment = { offset: kept, size: filled };
          await client.putObject(
            segmentKey(next, segment.offset),
            (part as Buffer).subarray(tailBytes, tailBytes + filled),
          );
          next.tail.push(segment);
        }
        next.offset = totalSize(next.parts) + totalSize(next.tail);
        next.updatedAt = Date.now();
        await writeState(client, next);
      } catch (err) {
        throw failure ?? err;
      }
      if (consumed.length > 0) {
        await client.deleteObjects(consumed.map((segment) => segmentKey(next, segment.offset))).catch(() => {});
      }
      if (failure !== undefined) throw failure;
      return toStatus(next);
    } finally {
      // The buffer is free again once nothing uses it: every part and segment request has answered.
      if (part) pool.give(part);
    }
  }

  async status(key: string, options: { signal?: AbortSignal } = {}): Promise<ResumableStatus> {
    return toStatus(await readState(this.#client, key, options.signal));
  }

  async complete(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const client = this.#client;
    const state = await readState(client, key, options.signal);
    if (state.length === undefined || state.offset !== state.length) throw incomplete(toStatus(state));
    const tailBytes = totalSize(state.tail);
    // The tail (≤ one part) is read into a pooled buffer of the upload's part size, so it reuses the appends' memory.
    const buffer = tailBytes > 0 ? await client.partBuffers.take(Math.max(state.partSize, tailBytes)) : undefined;
    let info: ObjectInfo;
    try {
      const tail = buffer ? buffer.subarray(0, tailBytes) : Buffer.alloc(0);
      let at = 0;
      for (const segment of state.tail)
        at += await readSegmentInto(client, segmentKey(state, segment.offset), tail, at);
      if (!state.uploadId) {
        // Small enough never to have started a multipart upload: one PUT, checksummed like any other.
        info = await client.putObject(key, tail, {
          contentType: state.contentType || 'application/octet-stream',
          ...(state.metadata ? { metadata: state.metadata } : {}),
          ...(state.contentDisposition ? { contentDisposition: state.contentDisposition } : {}),
        });
      } else {
        const parts = [...state.parts];
        if (tailBytes > 0) parts.push(await sendPart(client, state, parts.length + 1, tail));
        const checksums = completionOf(state, parts);
        try {
          await client.completeMultipartUpload(
            key,
            state.uploadId,
            parts.map((part) => part.etag),
            checksums ? { checksums } : {},
          );
        } catch (err) {
          // An earlier complete may have succeeded and lost only its cleanup: then the object is there.
          if (!isAttError(err, 'NOT_FOUND')) throw err;
        }
        info = await client.headObject(key);
      }
    } finally {
      if (buffer) client.partBuffers.give(buffer);
    }
    await client.deleteObjects([stateKey(key)]);
    await dropSegments(client, key).catch(() => {});
    return info;
  }

  async abort(key: string): Promise<void> {
    const state = await readState(this.#client, key).catch((err) =>
      isAttError(err, 'NOT_FOUND') ? undefined : Promise.reject(err),
    );
    if (state) await discardUpload(this.#client, state);
  }

  /**
   * Aborts uploads idle since before `olderThan` and drops segments no state names. Returns how many uploads it
   * removed and the multipart upload ids of those still live (which the stale-multipart sweep must leave alone).
   */
  cleanup(olderThan: Date): Promise<{ removed: number; live: Set<string> }> {
    return cleanupUploads(this.#client, olderThan);
  }
}
