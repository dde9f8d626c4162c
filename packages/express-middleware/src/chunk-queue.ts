/**
 * The chunks of one upload waiting between the request and the store: first in, first out, with the bytes they
 * hold counted, and chunks already taken put back in front (`unshift`, after a caller peeked at them to sniff).
 * Shared by the raw upload's read-ahead and the multipart part reader, so both drop taken chunks the same way.
 */
const EMPTY = new Uint8Array(0);

export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #bytes = 0;

  /** Bytes in the chunks queued. */
  get bytes(): number {
    return this.#bytes;
  }

  get isEmpty(): boolean {
    return this.#head === this.#chunks.length;
  }

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  /** The oldest chunk, removed; undefined when empty. */
  shift(): Uint8Array | undefined {
    const chunks = this.#chunks;
    if (this.#head === chunks.length) return undefined;
    const chunk = chunks[this.#head] as Uint8Array;
    // The slot is cleared and the taken front cut off now and then: while bytes keep coming the queue may never
    // run empty, and taken chunks left in it would keep a whole upload's socket buffers alive.
    chunks[this.#head++] = EMPTY;
    this.#bytes -= chunk.length;
    if (this.#head === chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head >= 64) {
      this.#chunks = chunks.slice(this.#head);
      this.#head = 0;
    }
    return chunk;
  }

  /** Puts `chunks` back in front, in their order: they are shifted out again first. */
  unshift(chunks: readonly Uint8Array[]): void {
    this.#chunks = [...chunks, ...this.#chunks.slice(this.#head)];
    this.#head = 0;
    for (const chunk of chunks) this.#bytes += chunk.length;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
