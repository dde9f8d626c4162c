/**
 * The part buffers of all uploads of one client, under one budget (`maxBufferedBytes`). Per-upload buffers made 30
 * concurrent uploads to a slow server take RSS from 73 to 398 MiB; with one budget an upload that finds it spent
 * waits for a buffer (so it stops reading its source: backpressure) instead of allocating past it.
 *
 * - Buffers are reused: a part the server acknowledged is filled again, so RSS does not wait on the GC to drop dead
 *   8 MiB buffers. Free buffers of another size (a big known-size upload) are dropped when their room is needed.
 * - When no buffer has been in use for `idleMs` (1 s), the free ones are dropped, so memory comes back down after
 *   a burst (an unref'd timer: it never keeps a process alive); back-to-back uploads still reuse them.
 * - One part larger than the whole budget is still allowed when nothing else is in use: an upload must progress.
 * - Waiters are served in arrival order, so a stream of small uploads cannot starve a big one.
 * - A buffer given back moves to a new ArrayBuffer (`structuredClone` with `transfer`: the memory moves, nothing is
 *   copied). Views of the old one read as empty from then on, so a stale reference can never see or change the
 *   next part's bytes. And V8 counts the memory as newly allocated: it runs a young-generation GC once young
 *   ArrayBuffers reach 2 × its largest semi-space (32 MiB on 64-bit). A pooled buffer that aged into the old
 *   generation stopped counting, so the source's dead chunks (a stream allocates a Buffer per chunk) piled up to
 *   32 MiB beside the pool before a GC took them; counted as young, the pool gets them collected several times as
 *   often. Same bytes held by the client; measured 128 MiB, 8 MiB parts, queue 4: peak RSS 121 → 105 MiB (README).
 *   A full GC still makes every buffer old, so uploads now also prompt young GCs themselves (young-gc.ts).
 */
import { abortError } from '@att/store-core';

interface Waiter {
  size: number;
  resolve: (buffer: Buffer) => void;
  reject: (err: unknown) => void;
}

export class BufferPool {
  readonly budget: number;
  /** Bytes of buffers that exist: in use plus free. */
  #allocated = 0;
  #inUse = 0;
  readonly #free = new Map<number, Buffer[]>();
  readonly #waiters: Waiter[] = [];
  /** Buffers lent out, by their memory: only these come back (never a caller's buffer, never one twice). */
  readonly #lent = new WeakSet<ArrayBufferLike>();

  readonly #idleMs: number;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(budget: number, idleMs = 1_000) {
    this.budget = budget;
    this.#idleMs = idleMs;
  }

  /** Drops every free buffer now (the idle timer does this on its own). */
  trim(): void {
    this.#dropFree(Number.POSITIVE_INFINITY);
  }

  /** Bytes held (in use and free), for tests and metrics. */
  get allocated(): number {
    return this.#allocated;
  }

  /** A buffer of exactly `size` bytes (contents undefined); waits while the budget is spent. */
  take(size: number, signal?: AbortSignal): Buffer | Promise<Buffer> {
    if (this.#waiters.length === 0) {
      const buffer = this.#tryTake(size);
      if (buffer) return buffer;
    }
    if (signal?.aborted) return Promise.reject(abortError(signal, 'S3 upload'));
    return new Promise<Buffer>((resolve, reject) => {
      const waiter: Waiter = { size, resolve, reject };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(abortError(signal, 'S3 upload'));
        this.#serve();
      };
      waiter.resolve = (buffer) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(buffer);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * Returns a buffer from `take` (or a view of one: the last, short part); anything else is ignored. Every view of
   * the buffer is empty afterwards: give it back only once nothing reads it any more.
   */
  give(part: Uint8Array): void {
    const memory = part.buffer;
    if (!this.#lent.has(memory)) return;
    this.#lent.delete(memory);
    // Only ArrayBuffers of our own are lent (allocUnsafeSlow), never a SharedArrayBuffer.
    const moved = structuredClone(memory as ArrayBuffer, { transfer: [memory as ArrayBuffer] });
    const buffer = Buffer.from(moved, 0, moved.byteLength);
    this.#inUse -= buffer.length;
    let list = this.#free.get(buffer.length);
    if (!list) {
      list = [];
      this.#free.set(buffer.length, list);
    }
    list.push(buffer);
    this.#serve();
    if (this.#inUse === 0 && this.#waiters.length === 0 && this.#idleTimer === undefined) {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = undefined;
        if (this.#inUse === 0) this.trim();
      }, this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  #tryTake(size: number): Buffer | undefined {
    const reused = this.#free.get(size)?.pop();
    if (reused) {
      this.#inUse += size;
      this.#lent.add(reused.buffer);
      return reused;
    }
    if (this.#allocated + size > this.budget) this.#dropFree(this.#allocated + size - this.budget);
    if (this.#allocated + size > this.budget && this.#inUse > 0) return undefined;
    const fresh = Buffer.allocUnsafeSlow(size);
    this.#lent.add(fresh.buffer);
    this.#allocated += size;
    this.#inUse += size;
    return fresh;
  }

  #serve(): void {
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0] as Waiter;
      const buffer = this.#tryTake(waiter.size);
      if (!buffer) return;
      this.#waiters.shift();
      waiter.resolve(buffer);
    }
  }

  /** Drops free buffers (any size) until `bytes` are released or none is left. */
  #dropFree(bytes: number): void {
    let released = 0;
    for (const [size, list] of this.#free) {
      while (list.length > 0 && released < bytes) {
        list.pop();
        this.#allocated -= size;
        released += size;
      }
      if (list.length === 0) this.#free.delete(size);
      if (released >= bytes) return;
    }
  }
}
