// A HEAD refused with 403 (no body to say why) names the permission that usually fixes it: s3:ListBucket, without
// which S3 answers 403 instead of 404 for a missing key (the Store's pre-write HEAD of a new id).
import { createStore, isAttError } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { clientFor } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, s3Server } from './support/servers.js';

const server = s3Server('fauxqs');
let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'head-denied');
  proxy = await startFaultProxy(server.endpoint, (r) => (r.method === 'HEAD' ? { status: 403 } : undefined));
});
afterAll(async () => {
  await proxy?.close();
});

describe('HEAD answering 403', () => {
  it('is ACCESS_DENIED naming s3:ListBucket, the permission to add', async () => {
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint, maxAttempts: 1 });
    const err = await client.headObject('missing').catch((e) => e);
    expect(isAttError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
    expect(err.message).toContain('s3:ListBucket');
    expect(err.details.missingPermission).toBe('s3:ListBucket');
    expect(err.details.httpStatus).toBe(403);
    await client.close();
  });
});

// Finding 11: with ListBucket granted only for the prefix (the README's policy), S3 and Ceph RGW answer a HEAD of
// a missing key with 403, so a pre-write HEAD made every write of a new id fail.
describe('a Store whose bucket answers every HEAD with 403', () => {
  async function* body(text: string): AsyncGenerator<Uint8Array> {
    yield Buffer.from(text);
  }

  it('writes ids the caller just generated (isNew) without any HEAD', async () => {
    const store = createStore({
      backend: s3Backend(clientFor(server, bucket, { endpoint: proxy.endpoint, maxAttempts: 1, prefix: 'isnew' })),
    });
    const heads = proxy.count('HEAD');
    const written = await store.write('fresh1', body('hello'), { isNew: true });
    expect(written.size).toBe(5);
    expect(proxy.count('HEAD'), 'no HEAD at all').toBe(heads);
    expect(await listAllKeys(server, bucket, 'isnew/')).toEqual(['isnew/fresh1']);
    expect(store.size).toBe(5);
    await store.close();
  });

  it('fails a write that needs the HEAD with ACCESS_DENIED naming s3:ListBucket, storing nothing', async () => {
    const store = createStore({
      backend: s3Backend(clientFor(server, bucket, { endpoint: proxy.endpoint, maxAttempts: 1, prefix: 'notnew' })),
    });
    const err = await store.write('chosen1', body('hello')).catch((e) => e);
    expect(isAttError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
    expect(err.details.missingPermission).toBe('s3:ListBucket');
    expect(await listAllKeys(server, bucket, 'notnew/')).toEqual([]);
    expect(store.size).toBe(0);
    await store.close();
  });
});
