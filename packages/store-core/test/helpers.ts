import type { Readable } from 'node:stream';

export async function* bodyOf(data: Uint8Array, chunkSize = 1000): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) yield data.subarray(offset, offset + chunkSize);
}

export function filled(size: number, byte = 7): Buffer {
  return Buffer.alloc(size, byte);
}

export async function text(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

export async function* stringBody(value: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(value, 'utf8');
}

/** Records warnings instead of printing them. */
export function recordingLogger(): { warn: (message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message: string) => void messages.push(message) };
}
