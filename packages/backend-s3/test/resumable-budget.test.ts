// Resumable appends take their part buffers from the client's shared pool (maxBufferedBytes), like every other
// upload: six appends of two parts each to a slow server (every part held 300 ms by the proxy) never hold more than
// the budget, wait for a buffer instead of allocating past it, and leave the pooled buffers for the next append.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server } from './support/servers.js';

const MiB = 1024 * 1024;
const server = s3Server('fauxqs');
const PART = 5 * MiB;
const BUDGET = 2 * PART;

let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'resumable-budget');
  proxy = await startFaultProxy(server.endpoint, (r) =>
    r.method === 'PUT' && 'partNumber' in r.query ? { stallMs: 300 } : undefined,
  );
});
afterAll(async () => {
  await proxy?.close();
});

async function* chunks(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

describe('resumable appends and maxBufferedBytes', () => {
  it('six concurrent two-part appends stay within the budget and reuse the pooled buffers', {
    timeout: 120_000,
  }, async () => {
    const backend = s3Backend({
      endpoint: proxy.endpoint,
      region: server.region,
      bucket,
      prefix: 'budget',
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      partSize: PART,
      maxBufferedBytes: BUDGET,
    });
    const pool = backend.client.partBuffers;
    const uploads = Array.from({ length: 6 }, (_, i) => ({ key: `up-${i}`, data: randomBytes(2 * PART) }));
    for (const { key, data } of uploads) await backend.resumable.create(key, { length: data.length });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, pool.allocated);
    }, 5);
    try {
      const statuses = await Promise.all(
        uploads.map(({ key, data }) => backend.resumable.append(key, 0, chunks(data, 256 * 1024))),
      );
      expect(statuses.map((s) => s.offset)).toEqual(uploads.map(({ data }) => data.length));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, pool.allocated);
    expect(peak, 'the appends took no buffer from the pool').toBeGreaterThan(0);
    expect(
      peak,
      `the appends held ${peak / MiB} MiB of part buffers, over the ${BUDGET / MiB} MiB budget`,
    ).toBeLessThanOrEqual(BUDGET);
    expect(pool.allocated, 'the free buffers stay pooled for the next append').toBeGreaterThan(0);
    for (const { key, data } of uploads) {
      await backend.resumable.complete(key);
      const { body } = await backend.get(key);
      const got: Buffer[] = [];
      for await (const chunk of body as AsyncIterable<Buffer>) got.push(chunk);
      expect(Buffer.concat(got).equals(data), `${key} differs from its bytes`).toBe(true);
    }
    expect(pool.allocated, 'completing took more than the budget').toBeLessThanOrEqual(BUDGET);
    await backend.close?.();
  });
});
