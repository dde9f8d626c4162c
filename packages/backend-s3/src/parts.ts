/**
 * Cutting an upload into parts. Only that: counting, the declared size and abort signals are store-core's `meter()`
 * (put.ts meters a body once, and a body the Store already metered passes through as it is); buffers come from the
 * client's BufferPool, so the memory of all uploads together stays within `maxBufferedBytes`.
 */
import { AttError } from '@att/store-core';
import type { BufferPool } from './buffer-pool.js';
import { MAX_PART_SIZE, MAX_PARTS } from './config.js';
import { deadChunkCollector } from './young-gc.js';

/** Part size for an upload: the configured size, grown for big known sizes so it fits in 10,000 parts. */
export function partSizeFor(partSize: number, size: number | undefined): number {
  if (size === undefined) return partSize;
  return Math.max(partSize, Math.ceil(size / MAX_PARTS));
}

/** Parts kept at the configured size before growing: every upload up to 1,000 parts stays uniform. */
const UNIFORM_PARTS = 1_000;
/** Parts per doubling after that: 1,000 + 10 × 900 parts reach 5 TiB even from 5 MiB parts. */
const PARTS_PER_DOUBLING = 900;

/**
 * Part sizes for a stream of unknown length. With `uniform` (Cloudflare R2: "all parts except the last one must be
 * the same size", read in its docs) the size never changes, so the stream may be at most 10,000 × partSize. Else
 * the first 1,000 parts keep `partSize` and it then doubles every 900 parts (capped at 5 GiB), so any stream up to
 * S3's 5 TiB fits in 10,000 parts while ordinary uploads never see a second size. Growing costs memory only for
 * the streams that need it: their part buffers grow with them, within the buffer budget.
 */
export function partSizeSchedule(partSize: number, uniform: boolean): (partNumber: number) => number {
  if (uniform) return () => partSize;
  return (n) => {
    if (n <= UNIFORM_PARTS) return partSize;
    return Math.min(MAX_PART_SIZE, partSize * 2 ** Math.ceil((n - UNIFORM_PARTS) / PARTS_PER_DOUBLING));
  };
}

/** Whether the endpoint requires uniform parts (R2); others accept parts of any size ≥ 5 MiB. */
export function requiresUniformParts(endpoint: URL): boolean {
  return endpoint.hostname.endsWith('.r2.cloudflarestorage.com');
}

export function sizeMismatch(declared: number, actual: string | number): AttError {
  return new AttError('SIZE_MISMATCH', `body is ${actual} bytes, but ${declared} were declared`, {
    details: { declared, actual },
  });
}

/** Set by readParts before it yields the last part (so a first part can be known to be the only one). */
export interface PartsState {
  ended: boolean;
}

/**
 * Cuts a stream into parts: part `n` (1-based) has exactly `partSizeAt(n)` bytes, the last may be shorter, an
 * empty stream yields nothing. Each part is one pooled buffer the chunks are copied into once (they are garbage
 * from then on, and collected soon: young-gc.ts), taken when its first byte arrives; while the pool has none to
 * give, the source is not read. A full part is held back until the next
 * chunk (or the end) shows whether it is the last: then `state.ended` is set before it is yielded, and no upload
 * ever holds one buffer while it waits for another without a part in flight (which is what keeps concurrent
 * uploads under one budget from deadlocking). The consumer gives each part back to the pool (a view of the buffer
 * for the short last part is fine); a part still being filled goes back here.
 */
export async function* readParts(
  body: AsyncIterable<Uint8Array>,
  partSizeAt: (partNumber: number) => number,
  pool: BufferPool,
  signal?: AbortSignal,
  state: PartsState = { ended: false },
): AsyncGenerator<Buffer> {
  let part: Buffer | undefined;
  let full: Buffer | undefined;
  let partNumber = 1;
  let partSize = partSizeAt(partNumber);
  let filled = 0;
  // Each chunk copied is garbage from then on: get it collected before many pile up (young-gc.ts).
  const copied = deadChunkCollector();
  try {
    for await (const chunk of body) {
      if (chunk.length === 0) continue;
      if (full !== undefined) {
        const ready = full;
        full = undefined;
        yield ready;
      }
      let offset = 0;
      while (offset < chunk.length) {
        if (part === undefined) {
          const taken = pool.take(partSize, signal);
          part = taken instanceof Promise ? await taken : taken;
        }
        const n = Math.min(partSize - filled, chunk.length - offset);
        part.set(offset === 0 && n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        copied(n, partSize);
        if (filled === partSize) {
          filled = 0;
          partSize = partSizeAt(++partNumber);
          if (offset === chunk.length) {
            full = part;
            part = undefined;
          } else {
            const ready = part;
            part = undefined;
            yield ready;
          }
        }
      }
    }
    state.ended = true;
    if (full !== undefined) {
      const last = full;
      full = undefined;
      yield last;
    } else if (part !== undefined && filled > 0) {
      const last = part.subarray(0, filled);
      part = undefined;
      yield last;
    }
  } finally {
    if (part !== undefined) pool.give(part);
    if (full !== undefined) pool.give(full);
  }
}

/** Parts of a buffer already in memory: views, no copies. */
export function* sliceParts(buffer: Uint8Array, partSize: number): Generator<Uint8Array> {
  for (let offset = 0; offset < buffer.length; offset += partSize) {
    yield buffer.subarray(offset, Math.min(buffer.length, offset + partSize));
  }
}

export function tooManyParts(partSize: number): AttError {
  return new AttError('TOO_LARGE', `body exceeds ${MAX_PARTS} parts of ${partSize} bytes; raise partSize`, {
    details: { maxParts: MAX_PARTS, partSize },
  });
}
