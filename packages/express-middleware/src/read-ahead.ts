import type { Readable } from 'node:stream';
import { AttError } from '@att/store-core';

/**
 * Reads a request (or multipart file) stream while the store writes. Without this, every chunk waits for the
 * previous disk or network write before the next one is read, and the socket sits idle half the time.
 *
 * The stream runs in flowing mode (no per-read copies) into a queue of at most `maxBuffered` bytes, pausing it
 * when the queue is full. `inspect` sees each chunk as it arrives, so limits are enforced at read time; when it
 * returns a promise the stream is paused until it settles (order is kept).
 */
export async function* readAhead(
  stream: Readable,
  maxBuffered: number,
  inspect: (chunk: Uint8Array) => void | Promise<void>,
): AsyncGenerator<Uint8Array> {
  let queue: Uint8Array[] = [];
  let head = 0;
  let queued = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let inspecting = false;
  let wake: (() => void) | undefined;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    stream.pause();
    notify();
  };
  const enqueue = (chunk: Uint8Array) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= maxBuffered) stream.pause();
    notify();
  };
  const onData = (chunk: Uint8Array) => {
    if (failure) return;
    let pending: void | Promise<void>;
    try {
      pending = inspect(chunk);
    } catch (error) {
      fail(error);
      return;
    }
    if (!pending) {
      enqueue(chunk);
      return;
    }
    inspecting = true;
    stream.pause();
    pending.then(
      () => {
        inspecting = false;
        enqueue(chunk);
        if (!failure && queued < maxBuffered) stream.resume();
      },
      (error) => {
        inspecting = false;
        fail(error);
      },
    );
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onClose = () => {
    if (!ended) fail(new AttError('ABORTED', 'the upload stream closed before its end'));
  };

  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', fail);
  stream.once('close', onClose);
  stream.resume();
  try {
    for (;;) {
      if (queue.length > 0) {
        // Chunks go on as they came: joining them would allocate a buffer per batch, and that garbage
        // (external memory) costs more in GC than the extra writes save.
        const out = queue[head++] as Uint8Array;
        queued -= out.length;
        if (head === queue.length) {
          queue = [];
          head = 0;
        }
        if (!failure && !inspecting && !ended && queued < maxBuffered) stream.resume();
        yield out;
        continue;
      }
      if (failure) throw failure.error;
      // 'end' can come while an inspection is still settling; its chunk must be queued first.
      if (ended && !inspecting) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onClose);
    stream.off('error', fail);
    // Keep a listener: a late stream error must not become an uncaught exception.
    stream.on('error', () => {});
    if (!ended) stream.pause();
  }
}
