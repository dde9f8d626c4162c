/**
 * Writes a chunk stream to a file with one write always in flight: while the disk takes one batch, the next chunks
 * are pulled from the body and queued, then go down together as one buffer. Measured on 1 GiB (ext4): a plain
 * `await write(chunk)` loop leaves the source idle during every write (~0.6× of `stream.pipeline`), and
 * `FileHandle.writev` of the queued chunks costs twice the kernel time of one write of their concatenation, so we
 * copy (≤ `maxQueued` bytes at a time, cheap next to the syscalls saved).
 * Memory stays bounded: once `maxQueued` bytes wait, pulling pauses until the write in flight is done.
 */
import type { FileHandle } from 'node:fs/promises';

export class WriteBehind {
  readonly #file: FileHandle;
  readonly #maxQueued: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #inFlight: Promise<void> | undefined;
  #failure: unknown;

  constructor(file: FileHandle, maxQueued = 1024 * 1024) {
    this.#file = file;
    this.#maxQueued = maxQueued;
  }

  /** Queues `chunk`; resolves when the caller may send the next one. Rejects with the file's error. */
  async push(chunk: Uint8Array): Promise<void> {
    this.#throwIfFailed();
    this.#queue.push(chunk);
    this.#queued += chunk.byteLength;
    if (!this.#inFlight) this.#flush();
    else if (this.#queued >= this.#maxQueued) {
      await this.#inFlight;
      this.#throwIfFailed();
      if (!this.#inFlight && this.#queue.length > 0) this.#flush();
    }
  }

  /** Waits until everything queued is written. */
  async drain(): Promise<void> {
    while (this.#inFlight || this.#queue.length > 0) {
      if (this.#inFlight) await this.#inFlight;
      this.#throwIfFailed();
      if (!this.#inFlight && this.#queue.length > 0) this.#flush();
    }
  }

  /** Waits for a write in flight to settle, ignoring its outcome (used before closing on failure). */
  async settle(): Promise<void> {
    await this.#inFlight;
  }

  #flush(): void {
    const batch = this.#queue.length === 1 ? this.#queue[0]! : Buffer.concat(this.#queue, this.#queued);
    this.#queue = [];
    this.#queued = 0;
    const write = this.#writeAll(batch).then(
      () => {
        if (this.#inFlight === write) this.#inFlight = undefined;
      },
      (err: unknown) => {
        this.#failure ??= err;
        if (this.#inFlight === write) this.#inFlight = undefined;
      },
    );
    this.#inFlight = write;
  }

  /** A write may take less than asked (some filesystems, signals); continue with the rest. */
  async #writeAll(batch: Uint8Array): Promise<void> {
    let written = 0;
    while (written < batch.byteLength) {
      const { bytesWritten } = await this.#file.write(batch, written, batch.byteLength - written);
      written += bytesWritten;
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
