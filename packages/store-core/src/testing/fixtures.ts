/** Helpers the conformance checks share: bodies of every shape, digests, and readable failure messages. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Backend, ObjectInfo } from '../backend.js';
import { type AttErrorCode, isAttError } from '../errors.js';
import { expect } from './vitest.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export function bytes(size: number): Buffer {
  return randomBytes(size);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Yields `data` in chunks of an odd size, so chunk-boundary bugs show. */
export async function* chunked(data: Uint8Array, chunkSize = 100_003): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    yield data.subarray(offset, Math.min(offset + chunkSize, data.length));
  }
}

export function asNodeReadable(data: Uint8Array): Readable {
  return Readable.from(chunked(data, 64 * KiB), { objectMode: false });
}

export function asWebStream(data: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([data]).stream() as ReadableStream<Uint8Array>;
}

/** A body that yields `prefix` and then fails (throws `error`) or waits for an abort, as `mode` says. */
export async function* failingBody(prefix: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield* chunked(prefix, 64 * KiB);
  throw error;
}

export async function readBody(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export async function getBytes(backend: Backend, key: string): Promise<Buffer> {
  const { body } = await backend.get(key);
  return readBody(body);
}

export function describeError(err: unknown): string {
  if (isAttError(err)) return `AttError ${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Awaits `promise` and checks it rejected with AttError `code`. */
export async function expectAttError(promise: Promise<unknown>, code: AttErrorCode, what: string): Promise<unknown> {
  let error: unknown;
  let resolved = false;
  try {
    await promise;
    resolved = true;
  } catch (err) {
    error = err;
  }
  expect(resolved, `${what}: expected AttError ${code}, but the call succeeded`).toBe(false);
  expect(isAttError(error, code), `${what}: expected AttError ${code}, got ${describeError(error)}`).toBe(true);
  return error;
}

/** An abort as a reader may see it: att's ABORTED, or the AbortError Node's own streams end with. */
export function isAbortError(err: unknown): boolean {
  return isAttError(err, 'ABORTED') || (err instanceof Error && err.name === 'AbortError');
}

/** True when `target` is `err` or somewhere in its cause chain. */
export function hasInChain(err: unknown, target: unknown): boolean {
  let current = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current === target) return true;
    if (typeof current === 'object' && current !== null && 'message' in current && 'cause' in current) {
      current = (current as { cause?: unknown }).cause;
    } else {
      return false;
    }
  }
  return false;
}

export async function expectAbsent(backend: Backend, key: string, what: string): Promise<void> {
  await expectAttError(backend.head(key), 'NOT_FOUND', `${what}: head after the failure`);
  await expectAttError(backend.get(key), 'NOT_FOUND', `${what}: get after the failure`);
}

export async function listAll(backend: Backend, prefix: string): Promise<ObjectInfo[]> {
  const found: ObjectInfo[] = [];
  for await (const info of backend.list({ prefix })) found.push(info);
  return found;
}

/** Unique key space for one suite run, so several runs can share one bucket. */
export function runPrefix(): string {
  return `att-conformance-${randomUUID().slice(0, 13)}/`;
}

/** Runs `tasks` with at most `limit` in flight. */
export async function inParallel<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
