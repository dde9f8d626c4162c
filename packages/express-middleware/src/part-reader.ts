/**
 * The bytes of one multipart file part on their way into the store: the parser pushes them (subarrays of the
 * socket's chunks), the store's write pulls them. The queue is bounded by the caller, who pauses the request
 * when `push` says it is over `maxQueued` bytes and resumes on `drained`: a slow backend slows the client
 * down instead of filling memory, with no Readable stream per file in between.
 */
import { ChunkQueue } from './chunk-queue.js';
import type { ChunkReader } from './store-file.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export interface PartReaderEvents {
  /** Bytes the store took (replayed chunks are not counted twice): file data, for the bandwidth accounting. */
  taken(bytes: number): void;
  /** The queue went from over its bound down to half of it (or was dropped): the request may flow again. */
  drained(reader: PartReader): void;
}

export class PartReader implements ChunkReader {
  readonly #maxQueued: number;
  readonly #events: PartReaderEvents;
  readonly #queue = new ChunkQueue();
  /** Chunks at the front put back by `replay`: already counted as taken. */
  #replayed = 0;
  /** Over the bound since the last `drained`: the caller has paused the request for this reader. */
  #holding = false;
  #ended = false;
  #closed = false;
  #failure: { error: unknown } | undefined;
  #waiter: { resolve: (r: IteratorResult<Uint8Array, undefined>) => void; reject: (e: unknown) => void } | undefined;

  constructor(maxQueued: number, events: PartReaderEvents) {
    this.#maxQueued = maxQueued;
    this.#events = events;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** True while more than the bound is queued: the caller should stop reading the request. */
  get full(): boolean {
    return this.#queue.bytes > this.#maxQueued;
  }

  /**
   * Adds the part's next bytes; true while the request should stay paused. Bytes pushed after a failure or
   * `return` are dropped. `drained`
   * only comes once the store has taken the queue down to half the bound: resuming at the first byte under it
   * would pause and resume the socket for every chunk of a long upload.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#closed || this.#failure || this.#ended) return false;
    const waiter = this.#waiter;
    if (waiter) {
      // The store is waiting: the chunk goes straight to it.
      this.#waiter = undefined;
      this.#events.taken(chunk.length);
      waiter.resolve({ done: false, value: chunk });
      return false;
    }
    this.#queue.push(chunk);
    if (this.full) this.#holding = true;
    return this.#holding;
  }

  /** The part is complete: the store reads what is queued, then the end. */
  end(): void {
    this.#ended = true;
    this.#settleWaiter();
  }

  /** The request failed or went away: the store's next read rejects with `error`, and the queue is dropped. */
  fail(error: unknown): void {
    if (this.#closed || this.#failure) return;
    this.#failure = { error };
    this.#drop();
    this.#settleWaiter();
  }

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (!this.#queue.isEmpty) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#failure) return Promise.reject(this.#failure.error);
    if (this.#ended || this.#closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The store stopped reading: what is queued and whatever still comes is dropped. */
  return(_value?: unknown): Promise<IteratorResult<Uint8Array, undefined>> {
    if (!this.#closed) {
      this.#closed = true;
      this.#drop();
      this.#settleWaiter();
    }
    return Promise.resolve(DONE);
  }

  /** Puts chunks the store's caller already took (to sniff them) back in front; they are read again, first. */
  replay(chunks: Uint8Array[]): void {
    if (chunks.length === 0 || this.#closed) return;
    this.#queue.unshift(chunks);
    this.#replayed += chunks.length;
  }

  #take(): Uint8Array {
    const chunk = this.#queue.shift() as Uint8Array;
    if (this.#replayed > 0) this.#replayed--;
    else this.#events.taken(chunk.length);
    if (this.#holding && this.#queue.bytes <= this.#maxQueued / 2) this.#release();
    return chunk;
  }

  #drop(): void {
    this.#queue.clear();
    this.#replayed = 0;
    if (this.#holding) this.#release();
  }

  #release(): void {
    this.#holding = false;
    this.#events.drained(this);
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = undefined;
    if (this.#failure) waiter.reject(this.#failure.error);
    else waiter.resolve(DONE);
  }
}
