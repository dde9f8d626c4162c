import type { Readable } from 'node:stream';
import { AttError } from '@att/store-core';
import { ChunkQueue } from './chunk-queue.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Reads a request (or multipart file) stream while the store writes. Without this, every chunk waits for the
 * previous disk or network write before the next one is read, and the socket sits idle half the time.
 *
 * The stream runs in flowing mode (no per-read copies) into a queue of at most `maxBuffered` bytes, pausing it
 * when the queue is full. `inspect` sees each chunk as it arrives, so limits are enforced at read time; when it
 * returns a promise the stream is paused until it settles (order is kept).
 *
 * A plain iterator rather than an async generator: a chunk already queued is handed out with one resolved
 * promise, without a generator's per-chunk machinery (measured on many small uploads). `replay` puts chunks a
 * caller peeked at back in front, so the same reader can be handed on.
 */
export class ReadAhead implements AsyncIterableIterator<Uint8Array> {
  readonly #stream: Readable;
  readonly #maxBuffered: number;
  readonly #inspect: (chunk: Uint8Array) => void | Promise<void>;
  readonly #queue = new ChunkQueue();
  #ended = false;
  #closed = false;
  #failure: { error: unknown } | undefined;
  #inspecting = false;
  #wake: (() => void) | undefined;

  constructor(stream: Readable, maxBuffered: number, inspect: (chunk: Uint8Array) => void | Promise<void>) {
    this.#stream = stream;
    this.#maxBuffered = maxBuffered;
    this.#inspect = inspect;
    stream.on('data', this.#onData);
    stream.once('end', this.#onEnd);
    stream.once('error', this.#fail);
    stream.once('close', this.#onClose);
    stream.resume();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const chunk = this.#take();
    return chunk ? Promise.resolve({ done: false, value: chunk }) : this.#wait();
  }

  /** Stops reading (the stream is paused, not destroyed) and detaches from it. */
  return(_value?: unknown): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#close();
    return Promise.resolve(DONE);
  }

  /** Puts already inspected chunks back in front of the queue; they are read again, first. */
  replay(chunks: Uint8Array[]): void {
    if (chunks.length === 0) return;
    this.#queue.unshift(chunks);
  }

  async #wait(): Promise<IteratorResult<Uint8Array, undefined>> {
    for (;;) {
      const chunk = this.#take();
      if (chunk) return { done: false, value: chunk };
      if (this.#closed) return DONE;
      if (this.#failure) {
        this.#close();
        throw this.#failure.error;
      }
      // 'end' can come while an inspection is still settling; its chunk must be queued first.
      if (this.#ended && !this.#inspecting) return DONE;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #take(): Uint8Array | undefined {
    if (this.#closed) return undefined;
    // Chunks go on as they came: joining them would allocate a buffer per batch, and that garbage (external
    // memory) costs more in GC than the extra writes save.
    const out = this.#queue.shift();
    if (out === undefined) return undefined;
    if (!this.#failure && !this.#inspecting && !this.#ended && this.#queue.bytes < this.#maxBuffered) {
      this.#stream.resume();
    }
    return out;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  readonly #fail = (error: unknown): void => {
    this.#failure ??= { error };
    this.#stream.pause();
    this.#notify();
  };

  #enqueue(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    if (this.#queue.bytes >= this.#maxBuffered) this.#stream.pause();
    this.#notify();
  }

  readonly #onData = (chunk: Uint8Array): void => {
    if (this.#failure) return;
    let pending: void | Promise<void>;
    try {
      pending = this.#inspect(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!pending) {
      this.#enqueue(chunk);
      return;
    }
    this.#inspecting = true;
    this.#stream.pause();
    pending.then(
      () => {
        this.#inspecting = false;
        this.#enqueue(chunk);
        if (!this.#failure && !this.#closed && this.#queue.bytes < this.#maxBuffered) this.#stream.resume();
      },
      (error) => {
        this.#inspecting = false;
        this.#fail(error);
      },
    );
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };

  readonly #onClose = (): void => {
    if (!this.#ended) this.#fail(new AttError('ABORTED', 'the upload stream closed before its end'));
  };

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.clear();
    const stream = this.#stream;
    stream.off('data', this.#onData);
    stream.off('end', this.#onEnd);
    stream.off('close', this.#onClose);
    stream.off('error', this.#fail);
    // Keep a listener: a late stream error must not become an uncaught exception.
    stream.on('error', () => {});
    if (!this.#ended) stream.pause();
    this.#notify();
  }
}

export function readAhead(
  stream: Readable,
  maxBuffered: number,
  inspect: (chunk: Uint8Array) => void | Promise<void>,
): ReadAhead {
  return new ReadAhead(stream, maxBuffered, inspect);
}
