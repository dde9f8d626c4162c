import { setTimeout as delay } from 'node:timers/promises';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { chunks, clientFor, freshClient, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, listPendingUploads, rawS3, s3Server } from './support/servers.js';

const swift = s3Server('swift');

describe('multipart uploads on swift', () => {
  it('uploads 64 MiB of unknown length in uniform parts and reads it back', { timeout: 120_000 }, async () => {
    const bucket = await createTestBucket(swift, 'big');
    const proxy = await startFaultProxy(swift.endpoint);
    const client = clientFor(swift, bucket, { endpoint: proxy.endpoint, partSize: 8 * MiB, queueSize: 4 });
    const data = randomBytes(64 * MiB + 5);
    const put = await client.putObject('big', chunks(data, 100_003));
    expect(put.size).toBe(data.length);
    const parts = proxy.requests.filter((r) => r.method === 'PUT' && 'partNumber' in r.query);
    expect(parts.length).toBe(9);
    const sizes = parts.map((r) => Number(r.headers['content-length'])).sort((a, b) => b - a);
    expect(sizes.slice(0, 8)).toEqual(Array(8).fill(8 * MiB));
    expect(sizes[8]).toBe(5);
    const head = await client.headObject('big');
    expect(head.size).toBe(data.length);
    expect(head.etag).toMatch(/-9"?$/);
    expect(sha256(await readAll((await client.getObject('big')).body))).toBe(sha256(data));
    await proxy.close();
    await client.close();
  });

  it('aborts only stale uploads under its own prefix', { timeout: 60_000 }, async () => {
    const bucket = await createTestBucket(swift, 'stale');
    for (const key of ['att/one', 'att/two/nested', 'attx/sibling', 'other/three', 'att-not-mine']) {
      const res = await rawS3(swift, { method: 'POST', bucket, key, query: { uploads: '' } });
      expect(res.status, key).toBe(200);
    }
    const backend = s3Backend({
      endpoint: swift.endpoint,
      region: swift.region,
      bucket,
      prefix: 'att',
      accessKeyId: swift.accessKeyId,
      secretAccessKey: swift.secretAccessKey,
    });
    const pending: string[] = [];
    for await (const u of backend.client.listMultipartUploads({ pageSize: 1 })) pending.push(u.key);
    expect(pending.sort()).toEqual(['one', 'two/nested']);
    expect(await backend.cleanupIncomplete(new Date(Date.now() - 3_600_000))).toBe(0);
    // Swift keeps whole seconds: make the uploads strictly older than "now" before a zero-grace cleanup.
    await delay(1100);
    expect(await backend.cleanupIncomplete(new Date())).toBe(2);
    const left = (await listPendingUploads(swift, bucket)).map((u) => u.key).sort();
    expect(left).toEqual(['att-not-mine', 'attx/sibling', 'other/three']);
    expect(await backend.client.abortIncompleteUploads(0)).toBe(0);
    await backend.close();
  });

  it('a failing body aborts the upload: no object, no pending upload, the error comes through', async () => {
    const { bucket, client } = await freshClient(swift, 'fail-body', { prefix: 'p' });
    const boom = new Error('source broke');
    async function* failing() {
      yield* chunks(randomBytes(11 * MiB));
      throw boom;
    }
    const err = await client.putObject('k', failing()).catch((e) => e);
    expect(err).toBe(boom);
    expect(await listAllKeys(swift, bucket)).toEqual([]);
    expect(await listPendingUploads(swift, bucket)).toEqual([]);

    const controller = new AbortController();
    async function* slow() {
      yield* chunks(randomBytes(11 * MiB));
      controller.abort();
      yield randomBytes(10);
    }
    const aborted = await client.putObject('k', slow(), { signal: controller.signal }).catch((e) => e);
    expect(isAttError(aborted, 'ABORTED'), String(aborted)).toBe(true);
    expect(await listAllKeys(swift, bucket)).toEqual([]);
    expect(await listPendingUploads(swift, bucket)).toEqual([]);
    await client.close();
  });
});
