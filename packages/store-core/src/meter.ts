/**
 * `meter()`: the one place where att counts, limits and aborts bytes in flight, for the Store and every backend.
 * The iterator it returns Every upload's bytes pass through it once per chunk, so it is a plain iterator
 * rather than an async generator: a generator adds its own request queue, an extra await and a resumption per
 * chunk, which on many small uploads showed up as a tenth of all JS-heap allocation. It behaves like the
 * generator it replaces: checks happen on the first `next()`, an abort rejects the wait in progress, errors and
 * early stops close the source without waiting for it, and a finished body answers `done` from then on.
 */
import { AttError } from './errors.js';
import { abortError, asBytes, type ByteSource, checkByteSource } from './streams.js';

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
  const out = new MeteredBody(source, options);
  metered.set(out, { signal: options.signal, expectedSize: options.expectedSize });
  return out;
}

type Step = IteratorResult<Uint8Array, number>;
const FINISHED: IteratorReturnResult<number> = Object.freeze({ done: true, value: undefined as unknown as number });

class MeteredBody implements AsyncGenerator<Uint8Array, number> {
  readonly #source: ByteSource;
  readonly #signal: AbortSignal | undefined;
  readonly #expectedSize: number | undefined;
  readonly #onChunk: MeterOptions['onChunk'];
  readonly #beforeEnd: MeterOptions['beforeEnd'];
  #iterator: AsyncIterator<unknown> | undefined;
  #total = 0;
  #state: 'new' | 'open' | 'done' = 'new';
  /** The pending `next()` (set only while a signal is watched): an abort rejects it at once. */
  #resolveWait: ((step: Step | Promise<Step>) => void) | undefined;
  #rejectWait: ((err: unknown) => void) | undefined;

  constructor(source: ByteSource, options: MeterOptions) {
    this.#source = source;
    this.#signal = options.signal;
    this.#expectedSize = options.expectedSize;
    this.#onChunk = options.onChunk;
    this.#beforeEnd = options.beforeEnd;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Step> {
    if (this.#state === 'done') return Promise.resolve(FINISHED);
    try {
      if (this.#state === 'new') this.#open();
      // Also checked once the consumer is back for more, as a generator would after its `yield`.
      else if (this.#signal?.aborted) throw abortError(this.#signal, 'upload');
    } catch (err) {
      this.#close(false);
      return Promise.reject(err);
    }
    return this.#pull();
  }

  /** Stops early: the source is told (not waited for) and the body is finished. */
  return(value?: number | PromiseLike<number>): Promise<Step> {
    this.#close(false);
    return Promise.resolve(value).then((v) => ({ done: true, value: v as number }));
  }

  throw(err: unknown): Promise<Step> {
    this.#close(false);
    return Promise.reject(err);
  }

  #open(): void {
    checkByteSource(this.#source);
    const signal = this.#signal;
    if (signal?.aborted) throw abortError(signal, 'upload');
    this.#iterator = this.#source[Symbol.asyncIterator]();
    this.#state = 'open';
    // One listener for the whole body (not one per chunk): it rejects the wait in progress, if any.
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #pull(): Promise<Step> {
    const step = (this.#iterator as AsyncIterator<unknown>).next();
    const signal = this.#signal;
    if (!signal) return step.then(this.#onStep, this.#onError);
    return new Promise<Step>((resolve, reject) => {
      this.#resolveWait = resolve;
      this.#rejectWait = reject;
      step.then(this.#settleWait, this.#failWait);
      // The source may have aborted the signal itself, synchronously inside next().
      if (signal.aborted) this.#onAbort();
    });
  }

  readonly #settleWait = (step: IteratorResult<unknown>): void => {
    const resolve = this.#resolveWait;
    const reject = this.#rejectWait;
    if (!resolve || !reject) return; // the abort answered first
    this.#resolveWait = undefined;
    this.#rejectWait = undefined;
    try {
      resolve(this.#onStep(step));
    } catch (err) {
      reject(err);
    }
  };

  readonly #failWait = (err: unknown): void => {
    const reject = this.#rejectWait;
    if (!reject) return;
    this.#resolveWait = undefined;
    this.#rejectWait = undefined;
    this.#close(false);
    reject(err);
  };

  readonly #onAbort = (): void => {
    const reject = this.#rejectWait;
    if (!reject) return;
    this.#resolveWait = undefined;
    this.#rejectWait = undefined;
    this.#close(false);
    reject(abortError(this.#signal, 'upload'));
  };

  readonly #onError = (err: unknown): Promise<Step> => {
    this.#close(false);
    throw err;
  };

  /** One chunk from the source: counted, checked and charged; the next one is pulled for an empty chunk. */
  readonly #onStep = (step: IteratorResult<unknown>): Step | Promise<Step> => {
    if (this.#state === 'done') return FINISHED;
    try {
      if (this.#signal?.aborted) throw abortError(this.#signal, 'upload');
      if (step.done) return this.#end();
      const chunk = asBytes(step.value);
      if (chunk.byteLength === 0) return this.#pull();
      this.#total += chunk.byteLength;
      const expected = this.#expectedSize;
      if (expected !== undefined && this.#total > expected) throw sizeMismatch(expected, this.#total, true);
      const charged = this.#onChunk?.(chunk.byteLength);
      const result: Step = { done: false, value: chunk };
      return charged ? charged.then(() => result, this.#onError) : result;
    } catch (err) {
      this.#close(false);
      throw err;
    }
  };

  #end(): Step | Promise<Step> {
    this.#close(true);
    const expected = this.#expectedSize;
    if (expected !== undefined && this.#total !== expected) throw sizeMismatch(expected, this.#total, false);
    const total = this.#total;
    if (!this.#beforeEnd) return { done: true, value: total };
    return this.#beforeEnd().then(() => ({ done: true, value: total }));
  }

  /** Finishes the body; a source that did not end is told to stop (a hung one must not hang the failure path). */
  #close(sourceEnded: boolean): void {
    if (this.#state === 'done') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'done';
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (wasOpen && !sourceEnded) void Promise.resolve(this.#iterator?.return?.()).catch(() => {});
  }
}

function sizeMismatch(expected: number, got: number, atLeast: boolean): AttError {
  const said = atLeast ? `at least ${got}` : `${got}`;
  return new AttError('SIZE_MISMATCH', `body size mismatch: declared ${expected} bytes, received ${said}`, {
    details: { expected, received: got },
  });
}
