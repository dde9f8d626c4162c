import type { Readable } from 'node:stream';
import { isAttError } from '../src/index.js';

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
export function recordingLogger(): { warn: (obj: object, message?: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_obj: object, message?: string) => void messages.push(message ?? '') };
}

/** The AttError code a promise rejects with (undefined when it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return isAttError(err) ? err.code : `not an AttError: ${String(err)}`;
  }
}
