import { AttError, abortError } from '@att/store-core';
import { MAX_PARTS } from './config.js';

/** Part size for an upload: the configured size, grown for big known sizes so it fits in 10,000 parts. */
export function partSizeFor(partSize: number, size: number | undefined): number {
  if (size === undefined) return partSize;
  return Math.max(partSize, Math.ceil(size / MAX_PARTS));
}

export function sizeMismatch(declared: number, actual: string | number): AttError {
  return new AttError('SIZE_MISMATCH', `body is ${actual} bytes, but ${declared} were declared`, {
    details: { declared, actual },
  });
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * Recycles part buffers within one upload: a buffer whose part the server has acknowledged is filled again, so
 * an upload allocates at most queueSize + 1 buffers instead of one per part, and RSS does not wait on the GC to
 * drop dead 8 MiB buffers. Only buffers this pool allocated come back (never views of a caller's buffer).
 */
export class PartPool {
  readonly #free: Buffer[] = [];
  readonly #own = new WeakSet<ArrayBufferLike>();
  constructor(readonly size: number) {}

  take(): Buffer {
    const reused = this.#free.pop();
    if (reused) return reused;
    const fresh = Buffer.allocUnsafeSlow(this.size);
    this.#own.add(fresh.buffer);
    return fresh;
  }

  give(part: Uint8Array): void {
    if (this.#own.has(part.buffer)) this.#free.push(Buffer.from(part.buffer, 0, this.size));
  }
}

/**
 * Cuts a stream into parts of exactly `partSize` bytes (the last one may be shorter; an empty stream yields
 * nothing). Each part is one preallocated buffer the chunks are copied into once, so a part costs exactly
 * `partSize` bytes and nothing is held between parts. A buffer is allocated only when its first byte arrives.
 * With `declaredSize`, the stream must be exactly that long (SIZE_MISMATCH as soon as it overruns, or at its end).
 */
export async function* readParts(
  body: AsyncIterable<Uint8Array | string>,
  partSize: number,
  declaredSize?: number,
  pool: PartPool = new PartPool(partSize),
): AsyncGenerator<Buffer> {
  let part: Buffer | undefined;
  let filled = 0;
  let total = 0;
  for await (const raw of body) {
    const chunk = toBytes(raw);
    total += chunk.length;
    if (declaredSize !== undefined && total > declaredSize)
      throw sizeMismatch(declaredSize, `more than ${declaredSize}`);
    let offset = 0;
    while (offset < chunk.length) {
      part ??= pool.take();
      const n = Math.min(partSize - filled, chunk.length - offset);
      part.set(offset === 0 && n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === partSize) {
        const full = part;
        part = undefined;
        filled = 0;
        yield full;
      }
    }
  }
  if (declaredSize !== undefined && total !== declaredSize) throw sizeMismatch(declaredSize, total);
  if (part !== undefined && filled > 0) yield part.subarray(0, filled);
}

/** Parts of a buffer already in memory: views, no copies. */
export function* sliceParts(buffer: Uint8Array, partSize: number): Generator<Uint8Array> {
  for (let offset = 0; offset < buffer.length; offset += partSize) {
    yield buffer.subarray(offset, Math.min(buffer.length, offset + partSize));
  }
}

/** Passes a known-length stream through, failing with SIZE_MISMATCH instead of sending a wrong length. */
export async function* exactLength(
  body: AsyncIterable<Uint8Array | string>,
  size: number,
  onChunk?: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const raw of body) {
    const chunk = toBytes(raw);
    total += chunk.length;
    if (total > size) throw sizeMismatch(size, `more than ${size}`);
    yield chunk;
    onChunk?.(total);
  }
  if (total !== size) throw sizeMismatch(size, total);
}

export function tooManyParts(partSize: number): AttError {
  return new AttError('TOO_LARGE', `body exceeds ${MAX_PARTS} parts of ${partSize} bytes; raise partSize`, {
    details: { maxParts: MAX_PARTS, partSize },
  });
}

/**
 * Makes waiting on the source stream abortable: each read races the signal, so an abort ends an upload at once
 * even while the body is stalled (a stuck read is abandoned, and the source told to stop via `return()`).
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) {
    yield* source;
    return;
  }
  if (signal.aborted) throw abortError(signal, 'S3 upload');
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal, 'S3 upload'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // observed below; this only silences the unhandled-rejection warning
  let finished = false;
  try {
    for (;;) {
      const result = await Promise.race([iterator.next(), aborted]);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort as () => void);
    // Tell the source to stop (closes a Node stream); not awaited, since a stalled source may never answer.
    if (!finished) iterator.return?.()?.catch(() => {});
  }
}
