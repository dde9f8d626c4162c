// Pure pieces, no server: error classification, retry timing, part cutting, metadata and XML encoding.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/buffer-pool.js';
import { parseRetryAfter, s3ResponseError, transportError } from '../src/errors.js';
import { decodeHeaderValue, encodeHeaderValue, metadataFromHeaders, metadataHeaders } from '../src/metadata.js';
import { partSizeFor, readParts, sliceParts } from '../src/parts.js';
import { backoffDelay } from '../src/retry.js';
import { deleteObjectsXml, list, parseXml, rootElement, text } from '../src/xml.js';

const MiB = 1024 * 1024;
const errorXml = (code: string) =>
  `<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message><RequestId>rid-1</RequestId></Error>`;

describe('S3 error classification', () => {
  it.each([
    [404, 'NoSuchKey', 'NOT_FOUND', false],
    [403, 'SignatureDoesNotMatch', 'ACCESS_DENIED', false],
    [403, undefined, 'ACCESS_DENIED', false],
    [416, 'InvalidRange', 'RANGE_NOT_SATISFIABLE', false],
    [503, 'SlowDown', 'BACKEND_UNAVAILABLE', true],
    [500, 'InternalError', 'BACKEND_UNAVAILABLE', true],
    [429, undefined, 'BACKEND_UNAVAILABLE', true],
    [400, 'RequestTimeout', 'BACKEND_UNAVAILABLE', true],
    [400, 'EntityTooSmall', 'BACKEND_ERROR', false],
    [409, 'BucketNotEmpty', 'BACKEND_ERROR', false],
  ])('HTTP %i %s → %s (retryable %s)', (status, s3Code, code, retryable) => {
    const err = s3ResponseError(
      { operation: 'Op', key: 'k' },
      status,
      { 'x-amz-request-id': 'hdr' },
      s3Code ? errorXml(s3Code) : '',
    );
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.details).toMatchObject({ httpStatus: status, operation: 'Op', key: 'k' });
    if (s3Code) expect(err.details).toMatchObject({ s3Code, requestId: 'rid-1' });
    else expect(err.details?.requestId).toBe('hdr');
  });

  it('classifies by status when the body is HTML or broken XML', () => {
    const html = s3ResponseError({ operation: 'Put' }, 400, {}, '<html><body>Bad</body></html>');
    expect([html.code, html.details?.s3Code]).toEqual(['BACKEND_ERROR', undefined]);
    const broken = s3ResponseError({ operation: 'Get' }, 404, {}, '<Error><Code>NoSuch');
    expect(broken.code).toBe('NOT_FOUND');
  });

  it('maps transport failures: timeouts, resets, anything else', () => {
    const timeout = transportError(
      Object.assign(new Error('t'), { code: 'S3_TIMEOUT' }),
      { operation: 'Get' },
      undefined,
    );
    expect([timeout.code, timeout.retryable]).toEqual(['TIMEOUT', true]);
    const reset = transportError(
      Object.assign(new Error('r'), { code: 'ECONNRESET' }),
      { operation: 'Get' },
      undefined,
    );
    expect([reset.code, reset.retryable]).toEqual(['BACKEND_UNAVAILABLE', true]);
    const other = transportError(new TypeError('weird'), { operation: 'Get' }, undefined);
    expect([other.code, other.retryable]).toEqual(['BACKEND_ERROR', false]);
    const aborted = transportError(new Error('x'), { operation: 'Get' }, AbortSignal.abort());
    expect(aborted.code).toBe('ABORTED');
    const destroyed = transportError(
      Object.assign(new Error('a'), { code: 'ABORT_ERR' }),
      { operation: 'Get' },
      undefined,
    );
    expect(destroyed.code).toBe('ABORTED');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('stays within full-jitter bounds, honours Retry-After as a floor, never exceeds the cap', () => {
    for (let i = 0; i < 200; i++) {
      const attempt = 1 + (i % 6);
      const d = backoffDelay(attempt, 100, 5000);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(5000, 100 * 2 ** (attempt - 1)));
      expect(backoffDelay(attempt, 100, 5000, 2000)).toBeGreaterThanOrEqual(2000);
      expect(backoffDelay(attempt, 100, 5000, 60_000)).toBe(5000);
    }
  });
});

async function* from(chunks: number[]): AsyncGenerator<Uint8Array> {
  let n = 0;
  for (const size of chunks) {
    yield Uint8Array.from({ length: size }, () => n++ % 251);
  }
}

async function collect(parts: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(Buffer.from(p));
  return out;
}

describe('part cutting', () => {
  const pool = () => new BufferPool(1024);
  const uniform = (size: number) => () => size;

  it('cuts uniform parts across chunk boundaries, keeping every byte in order', async () => {
    const parts = await collect(readParts(from([3, 10, 1, 7, 4]), uniform(8), pool()));
    expect(parts.map((p) => p.length)).toEqual([8, 8, 8, 1]);
    const all = Buffer.concat(parts);
    expect([...all]).toEqual(Array.from({ length: 25 }, (_, i) => i % 251));
    expect((await collect(readParts(from([]), uniform(8), pool()))).length).toBe(0);
    expect((await collect(readParts(from([8, 8]), uniform(8), pool()))).map((p) => p.length)).toEqual([8, 8]);
  });

  it('cuts part n at partSizeAt(n)', async () => {
    const parts = await collect(readParts(from([10, 10, 10]), (n) => (n <= 2 ? 4 : 8), pool()));
    expect(parts.map((p) => p.length)).toEqual([4, 4, 8, 8, 6]);
  });

  it("recycles its own part buffers (their memory, moved: old views read empty) and never the caller's", async () => {
    const buffers = new BufferPool(64);
    const first = buffers.take(8) as Buffer;
    first.write('abcdefgh');
    const kept = first.subarray(0, 3);
    buffers.give(kept);
    expect([first.length, kept.length], 'every view of a returned buffer is empty').toEqual([0, 0]);
    const again = buffers.take(8) as Buffer;
    expect(again.toString(), 'the same memory, moved, not copied or allocated anew').toBe('abcdefgh');
    expect(buffers.allocated).toBe(8);
    const callers = Buffer.from('0123456789abcdef');
    for (const view of sliceParts(callers, 8)) buffers.give(view);
    expect(callers.toString(), "a caller's buffer is never taken or emptied").toBe('0123456789abcdef');
    expect((buffers.take(8) as Buffer).buffer).not.toBe(callers.buffer);
    expect(buffers.allocated).toBe(16);
    // Parts cut from a stream with a pool come from it: three parts, one buffer when each is returned before the next.
    const recycling = new BufferPool(64);
    const sizes: number[] = [];
    for await (const part of readParts(from([8, 8, 8]), uniform(8), recycling)) {
      sizes.push(part.length);
      recycling.give(part);
      expect(recycling.allocated).toBe(8);
    }
    expect(sizes).toEqual([8, 8, 8]);
  });

  it('keeps all buffers within the budget: a take past it waits until a buffer comes back', async () => {
    const buffers = new BufferPool(16);
    const a = buffers.take(8) as Buffer;
    const b = buffers.take(8) as Buffer;
    const waiting = buffers.take(8);
    expect(waiting, 'the third buffer must wait').toBeInstanceOf(Promise);
    expect(buffers.allocated).toBe(16);
    a.fill(7);
    buffers.give(a);
    const served = await waiting;
    expect([...served], "the waiter gets a's memory").toEqual(Array(8).fill(7));
    expect(buffers.allocated).toBe(16);
    const controller = new AbortController();
    const aborted = buffers.take(8, controller.signal) as Promise<Buffer>;
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    buffers.give(b);
    buffers.give(served);
    buffers.give(a); // already given: ignored
    expect(buffers.allocated, 'kept for the next upload while idle only briefly').toBe(16);
    buffers.trim();
    expect(buffers.allocated, 'an idle pool keeps nothing').toBe(0);
    // A part bigger than the whole budget still goes when nothing else is in use.
    expect((buffers.take(32) as Buffer).length).toBe(32);
  });

  it('grows the part size so a known size fits in 10,000 parts', () => {
    expect(partSizeFor(5 * MiB, undefined)).toBe(5 * MiB);
    expect(partSizeFor(5 * MiB, 1000)).toBe(5 * MiB);
    const huge = 100 * 1024 * MiB; // 100 GiB
    const size = partSizeFor(5 * MiB, huge);
    expect(size).toBeGreaterThan(5 * MiB);
    expect(Math.ceil(huge / size)).toBeLessThanOrEqual(10_000);
  });
});

describe('metadata headers', () => {
  it('sends ASCII as is and anything else as an RFC 2047 word, and reads both back', () => {
    const metadata = {
      ascii: 'plain value',
      utf: 'résumé 日本',
      padded: ' x ',
      tricky: '=?UTF-8?B?Zm9v?=',
      ctl: 'a\r\nb',
    };
    const headers: Record<string, string> = {};
    metadataHeaders(metadata, headers);
    expect(headers['x-amz-meta-ascii']).toBe('plain value');
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
    expect(metadataFromHeaders({ ...headers, 'content-type': 'x' })).toEqual(metadata);
    expect(decodeHeaderValue('=?utf-8?q?caf=C3=A9_au_lait?=')).toBe('café au lait');
    expect(encodeHeaderValue('')).toBe('');
    expect(() => metadataHeaders({ 'bad name': 'x' }, {})).toThrow(/not a valid header token/);
  });
});

describe('XML', () => {
  it('writes DeleteObjects keys that parse back exactly', () => {
    const keys = ['a&b<c>"d\'', 'line\r\nbreak', ' lead', '123'];
    const doc = parseXml(deleteObjectsXml(keys), 'test');
    const root = rootElement(doc, 'Delete', 'test');
    expect(list(root, 'Object').map((o) => text(o, 'Key'))).toEqual(keys);
  });

  it('rejects malformed documents and unexpected roots with BACKEND_ERROR', () => {
    expect(() => parseXml('<a><b></a>', 'Op')).toThrow(/Op: the server sent malformed XML/);
    expect(() => rootElement(parseXml('<Other/>', 'Op'), 'ListBucketResult', 'Op')).toThrow(
      /expected <ListBucketResult>/,
    );
  });
});
