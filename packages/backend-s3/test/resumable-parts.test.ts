// An append that ends with 5 MiB or more short of a part sends them as a part of their own instead of a tail
// segment that a later append would read back: three 6 MiB appends (8 MiB parts) write and read no segment at all.
// A part shorter than partSize is only taken while 10,000 parts still hold the rest of the upload.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { fitsAsPart } from '../src/resumable-parts.js';
import type { UploadState } from '../src/resumable-state.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server } from './support/servers.js';

const MiB = 1024 * 1024;
const server = s3Server('fauxqs');

let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'resumable-parts');
  proxy = await startFaultProxy(server.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

describe('resumable appends: parts of their own', () => {
  it('three 6 MiB appends with 8 MiB parts go up as three parts, no tail segment written or read', {
    timeout: 60_000,
  }, async () => {
    const backend = s3Backend({
      endpoint: proxy.endpoint,
      region: server.region,
      bucket,
      prefix: 'parts',
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      partSize: 8 * MiB,
    });
    const data = randomBytes(18 * MiB);
    await backend.resumable.create('six', { length: data.length });
    for (let at = 0; at < data.length; at += 6 * MiB) {
      const status = await backend.resumable.append('six', at, once(data.subarray(at, at + 6 * MiB)));
      expect(status.offset).toBe(at + 6 * MiB);
    }
    await backend.resumable.complete('six');
    const segments = proxy.requests.filter((r) => /\/\.att-uploads\/[0-9a-f]{64}\//.test(r.path));
    expect(
      segments.map((r) => `${r.method} ${r.path}`),
      'tail segments were written or read back',
    ).toEqual([]);
    expect(proxy.count('PUT', { query: 'partNumber' }), 'parts uploaded').toBe(3);
    const { body } = await backend.get('six');
    const got: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) got.push(chunk);
    expect(Buffer.concat(got).equals(data), 'the object differs from the appended bytes').toBe(true);
    await backend.close();
  });

  it('a shorter part is taken only while 10,000 parts still hold the rest', () => {
    const state = (length: number | undefined, parts: number, partSize: number): UploadState => ({
      key: 'k',
      generation: 'g',
      ...(length === undefined ? {} : { length }),
      createdAt: 0,
      updatedAt: 0,
      partSize,
      parts: Array.from({ length: parts }, () => ({ etag: 'e', size: partSize })),
      tail: [],
      offset: parts * partSize,
    });
    expect(fitsAsPart(state(100 * MiB, 0, 8 * MiB), 5 * MiB - 1, 8 * MiB), 'under 5 MiB').toBe(false);
    expect(fitsAsPart(state(100 * MiB, 0, 8 * MiB), 5 * MiB, 8 * MiB), '5 MiB, plenty of parts left').toBe(true);
    expect(fitsAsPart(state(undefined, 0, 8 * MiB), 6 * MiB, 8 * MiB), 'deferred length').toBe(false);
    // 10,000 parts of 8 MiB exactly: a 6 MiB part now leaves 9,999 parts for more than 9,999 × 8 MiB.
    expect(fitsAsPart(state(10_000 * 8 * MiB, 0, 8 * MiB), 6 * MiB, 8 * MiB), 'no slack left').toBe(false);
    expect(fitsAsPart(state(9_999 * 8 * MiB + 6 * MiB, 0, 8 * MiB), 6 * MiB, 8 * MiB), 'just enough').toBe(true);
  });
});
