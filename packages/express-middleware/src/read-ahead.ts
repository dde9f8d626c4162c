/**
 * Reads the request while the store writes: without this, every chunk waits for the previous disk or network
 * write to finish before the next one is read, and the socket sits idle half the time. A producer pulls from
 * `source` into a queue of at most `maxBuffered` bytes; the consumer takes everything queued so far as one
 * chunk (so writes grow to whatever piled up, up to `maxBuffered`). `inspect` sees each chunk as it arrives,
 * so limits are enforced at read time, not write time.
 */
export async function* readAhead(
  source: AsyncIterator<Uint8Array>,
  maxBuffered: number,
  inspect: (chunk: Uint8Array) => void | Promise<void>,
): AsyncGenerator<Uint8Array> {
  let queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;

  const signalConsumer = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };

  const produce = async () => {
    try {
      while (!stopped) {
        if (queued >= maxBuffered) {
          await new Promise<void>((resolve) => {
            wakeProducer = resolve;
          });
          continue;
        }
        const next = await source.next();
        if (next.done || stopped) break;
        await inspect(next.value);
        queue.push(next.value);
        queued += next.value.length;
        signalConsumer();
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      signalConsumer();
    }
  };
  const producing = produce();

  try {
    for (;;) {
      if (queued > 0) {
        const out = queue.length === 1 ? (queue[0] as Uint8Array) : Buffer.concat(queue, queued);
        queue = [];
        queued = 0;
        wakeProducer?.();
        wakeProducer = undefined;
        yield out;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
    }
  } finally {
    stopped = true;
    wakeProducer?.();
    // Let a pending read settle so its error (if any) is not left unhandled; never wait on a stalled source.
    producing.catch(() => {});
  }
}
