/**
 * The one place where att touches bytes in flight: counting, limits, declared sizes and abort signals.
 * Backends and the Store both meter bodies through `meter()`; nothing else hand-rolls a counting loop.
 *
 * Input is any `AsyncIterable<Uint8Array>` (Node Readable and web ReadableStream both are); output, where a stream
 * is handed to callers, is a Node `Readable` (`toReadable`).
 */
import { Readable } from 'node:stream';
import { AttError } from './errors.js';

/** Any body att accepts: Node Readable, web ReadableStream, async generator of chunks. */
export type ByteSource = AsyncIterable<Uint8Array>;

export interface MeterOptions {
  /** Stop with AttError ABORTED as soon as this aborts (also while waiting for the next chunk). */
  signal?: AbortSignal | undefined;
  /** The body must be exactly this long; more or fewer bytes fail with SIZE_MISMATCH. */
  expectedSize?: number | undefined;
  /** Called with each chunk's length before the chunk is passed on; throwing (or rejecting) stops the stream. */
  onChunk?: ((bytes: number) => void | Promise<void>) | undefined;
  /** Awaited after the source's last chunk, before the stream ends (so before any consumer can publish it). */
  beforeEnd?: (() => Promise<void>) | undefined;
}

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

function sizeMismatch(expected: number, got: number, atLeast: boolean): AttError {
  const said = atLeast ? `at least ${got}` : `${got}`;
  return new AttError('SIZE_MISMATCH', `body size mismatch: declared ${expected} bytes, received ${said}`, {
    details: { expected, received: got },
  });
}

function asBytes(chunk: unknown): Uint8Array {
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

/** Bodies made by `meter()`, with what they already enforce. */
const metered = new WeakMap<object, { signal: AbortSignal | undefined; expectedSize: number | undefined }>();

/**
 * Passes `source` through unchanged while counting, enforcing `expectedSize`, charging `onChunk` and honouring
 * `signal`. Stopping early (error, abort, consumer break) closes the source.
 *
 * A body that is already a `meter()` output enforcing the same signal and size (the Store's body as it reaches
 * its backend, which meters again) is returned as it is: a second layer would only add per-chunk overhead.
 */
export function meter(source: ByteSource, options: MeterOptions = {}): AsyncGenerator<Uint8Array, number> {
  const known = metered.get(source);
  if (
    known &&
    !options.onChunk &&
    !options.beforeEnd &&
    !options.signal?.aborted &&
    (options.signal === undefined || options.signal === known.signal) &&
    (options.expectedSize === undefined || options.expectedSize === known.expectedSize)
  ) {
    return source as AsyncGenerator<Uint8Array, number>;
  }
  const out = meterChunks(source, options);
  metered.set(out, { signal: options.signal, expectedSize: options.expectedSize });
  return out;
}

async function* meterChunks(source: ByteSource, options: MeterOptions): AsyncGenerator<Uint8Array, number> {
  const { signal, expectedSize, onChunk, beforeEnd } = options;
  checkByteSource(source);
  throwIfAborted(signal, 'upload');
  const iterator = source[Symbol.asyncIterator]();
  // One abort listener for the whole body (not one per chunk, as raceAbort would add): it rejects the wait in
  // progress, if any; between waits the signal is checked after each chunk.
  let rejectWait: ((err: unknown) => void) | undefined;
  const onAbort = () => rejectWait?.(abortError(signal, 'upload'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const nextStep = (): Promise<IteratorResult<unknown>> => {
    const step = iterator.next();
    if (!signal) return step;
    return new Promise((resolve, reject) => {
      rejectWait = reject;
      step.then(resolve, reject);
      // The source may have aborted the signal itself, synchronously inside next().
      if (signal.aborted) reject(abortError(signal, 'upload'));
    });
  };
  let total = 0;
  let finished = false;
  try {
    while (true) {
      const step = await nextStep();
      rejectWait = undefined;
      throwIfAborted(signal, 'upload');
      if (step.done) break;
      const chunk = asBytes(step.value);
      if (chunk.byteLength === 0) continue;
      total += chunk.byteLength;
      if (expectedSize !== undefined && total > expectedSize) throw sizeMismatch(expectedSize, total, true);
      if (onChunk) {
        const charged = onChunk(chunk.byteLength);
        if (charged) await charged;
      }
      yield chunk;
      throwIfAborted(signal, 'upload');
    }
    finished = true;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Tell the source we stopped early; don't wait for it (a hung source must not hang the failure path).
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
  if (expectedSize !== undefined && total !== expectedSize) throw sizeMismatch(expectedSize, total, false);
  if (beforeEnd) await beforeEnd();
  return total;
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
