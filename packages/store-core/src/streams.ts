/**
 * Stream helpers: abort signals, byte sources, ranges. Counting, limits and declared sizes of bytes in flight are
 * `meter()`'s (meter.ts); backends and the Store both meter bodies through it, nothing else hand-rolls that loop.
 *
 * Input is any `AsyncIterable<Uint8Array>` (Node Readable and web ReadableStream both are); output, where a stream
 * is handed to callers, is a Node `Readable` (`toReadable`).
 */
import { Readable } from 'node:stream';
import { AttError } from './errors.js';

/** Any body att accepts: Node Readable, web ReadableStream, async generator of chunks. */
export type ByteSource = AsyncIterable<Uint8Array>;

/** The AttError to throw for an aborted signal; the signal's reason stays reachable as `cause`. */
export function abortError(signal?: AbortSignal, what = 'operation'): AttError {
  return new AttError('ABORTED', `${what} aborted`, { cause: signal?.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/** Resolves like `promise`, or rejects with ABORTED the moment `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what?: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(abortError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** A chunk as bytes: strings (Readables in string mode) as UTF-8, ArrayBuffers wrapped; anything else refused. */
export function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  // Readables in string mode or loose iterables: accept strings as UTF-8 rather than failing mid-upload.
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new AttError('INVALID_REQUEST', `body chunks must be Uint8Array, got ${typeof chunk}`);
}

/** Throws INVALID_REQUEST unless `source` can be iterated asynchronously (a Buffer or a string cannot). */
export function checkByteSource(source: unknown): asserts source is ByteSource {
  if (typeof (source as Partial<ByteSource> | null)?.[Symbol.asyncIterator] !== 'function') {
    throw new AttError(
      'INVALID_REQUEST',
      'a body must be an AsyncIterable<Uint8Array> (a Node Readable, a web ReadableStream, an async generator)',
    );
  }
}

/** Wraps a byte iterable as a Node Readable (no object mode, so consumers see a normal byte stream). */
export function toReadable(source: ByteSource | Iterable<Uint8Array>): Readable {
  if (source instanceof Readable) return source;
  return Readable.from(source, { objectMode: false });
}

/** Reads a whole (small!) body into one Buffer. For tests and tiny payloads only; never on upload paths. */
export async function readAll(source: ByteSource): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(asBytes(chunk));
  return Buffer.concat(chunks);
}

/** Resolves a `{ start, end? }` range (end inclusive) against an object size, or throws RANGE_NOT_SATISFIABLE. */
export function resolveRange(range: { start: number; end?: number }, size: number): { start: number; end: number } {
  const { start } = range;
  const end = range.end === undefined ? size - 1 : Math.min(range.end, size - 1);
  const valid =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    (range.end === undefined || (Number.isSafeInteger(range.end) && range.end >= start));
  if (!valid) {
    throw new AttError('RANGE_NOT_SATISFIABLE', `invalid range ${start}-${range.end ?? ''}`, { details: { size } });
  }
  if (start >= size) {
    throw new AttError('RANGE_NOT_SATISFIABLE', `range start ${start} is beyond the object size ${size}`, {
      details: { size },
    });
  }
  return { start, end };
}
