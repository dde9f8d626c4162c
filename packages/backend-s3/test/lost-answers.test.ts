// Lost answers decided against the bucket (src/ambiguity.ts): the server committed, the client never heard.
// Every case ends with the bucket and the client (or the Store's size) agreeing.
import { createHash } from 'node:crypto';
import { createStore, isAttError } from '@att/store-core';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Client, s3Backend } from '../src/index.js';
import { chunks, clientFor, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { type FaultProxy, failFirstAttempts, startFaultProxy } from './support/fault-proxy.js';
import {
  createTestBucket,
  listAllKeys,
  listPendingUploads,
  type S3TestServer,
  s3Server,
  sdkClient,
} from './support/servers.js';

type Req = { method: string; query: Record<string, string> };
const isComplete = (r: Req) => r.method === 'POST' && 'uploadId' in r.query;
const isCreate = (r: Req) => r.method === 'POST' && 'uploads' in r.query;
const isPut = (r: Req) => r.method === 'PUT' && !('partNumber' in r.query);
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

function setup(server: S3TestServer) {
  const ctx = {} as { bucket: string; proxy: FaultProxy; client: S3Client };
  beforeAll(async () => {
    ctx.bucket = await createTestBucket(server, 'lost');
    ctx.proxy = await startFaultProxy(server.endpoint);
    ctx.client = clientFor(server, ctx.bucket, {
      endpoint: ctx.proxy.endpoint,
      maxAttempts: 3,
      retryBaseDelay: 1,
      retryMaxDelay: 20,
      timeout: 5_000,
    });
  });
  afterAll(async () => {
    await ctx.client.close();
    await ctx.proxy.close();
  });
  return ctx;
}

async function bucketBytes(server: S3TestServer, bucket: string): Promise<number> {
  const out = await sdkClient(server).send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
}

describe('lost answers (fauxqs)', () => {
  const server = s3Server('fauxqs');
  const ctx = setup(server);

  it('a Complete whose answer is lost, retried into NoSuchUpload, is a success when the object is there', async () => {
    const { client, proxy } = ctx;
    const data = randomBytes(11 * MiB);
    proxy.setRule(failFirstAttempts(isComplete, 1, { dropAnswer: true }));
    const info = await client.putObject('complete-lost', chunks(data)).catch((e) => e);
    proxy.setRule(undefined);
    expect(info instanceof Error ? String(info) : 'ok', 'the write must succeed').toBe('ok');
    expect(info.size).toBe(data.length);
    expect(info.etag, 'the ETag is the stored object’s').toMatch(/-3"?$/);
    expect(sha256(await readAll((await client.getObject('complete-lost')).body))).toBe(sha256(data));
  });
});

describe('lost answers (swift)', () => {
  const server = s3Server('swift');
  const ctx = setup(server);

  it('a Complete whose every answer is lost is a success: the bucket holds exactly our object', async () => {
    const { client, proxy, bucket } = ctx;
    const data = randomBytes(11 * MiB);
    proxy.setRule((r) => (isComplete(r) ? { dropAnswer: true } : undefined));
    const info = await client.putObject('complete-gone', chunks(data)).catch((e) => e);
    proxy.setRule(undefined);
    expect(info instanceof Error ? String(info) : 'ok', 'the write must succeed').toBe('ok');
    const head = await sdkClient(server).send(new HeadObjectCommand({ Bucket: bucket, Key: 'complete-gone' }));
    expect(info.etag).toBe(head.ETag);
    expect(info.size).toBe(data.length);
    expect(await listPendingUploads(server, bucket, 'complete-gone')).toEqual([]);
  });

  it('a Complete that never reaches the server fails and leaves nothing: no object, no pending upload', async () => {
    const { client, proxy, bucket } = ctx;
    proxy.setRule((r) => (isComplete(r) ? { reset: 'after-body' } : undefined));
    const err = await client.putObject('complete-never', chunks(randomBytes(11 * MiB))).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_UNAVAILABLE'), String(err)).toBe(true);
    expect(await listAllKeys(server, bucket, 'complete-never')).toEqual([]);
    expect(await listPendingUploads(server, bucket, 'complete-never')).toEqual([]);
  });

  it('a streamed single PUT whose answer is lost is a success when the bucket has our bytes (MD5)', async () => {
    const { client, proxy } = ctx;
    const data = randomBytes(3 * MiB);
    proxy.setRule((r) => (isPut(r) ? { dropAnswer: true } : undefined));
    const info = await client.putObject('put-lost', chunks(data), { size: data.length }).catch((e) => e);
    proxy.setRule(undefined);
    expect(info instanceof Error ? String(info) : 'ok', 'the write must succeed').toBe('ok');
    expect(info.etag).toBe(`"${md5(data)}"`);
    expect(sha256(await readAll((await client.getObject('put-lost')).body))).toBe(sha256(data));
  });

  it('a streamed single PUT that never arrived fails, even over an older object of the same size', async () => {
    const { client, proxy } = ctx;
    const old = randomBytes(1 * MiB);
    await client.putObject('put-never', old);
    proxy.setRule((r) => (isPut(r) ? { reset: 'after-body' } : undefined));
    const err = await client
      .putObject('put-never', chunks(randomBytes(old.length)), { size: old.length })
      .catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_UNAVAILABLE'), String(err)).toBe(true);
    expect(sha256(await readAll((await client.getObject('put-never')).body)), 'the old object stays').toBe(sha256(old));
  });

  it('a retried CreateMultipartUpload aborts the upload its lost answer orphaned', async () => {
    const { client, proxy, bucket } = ctx;
    proxy.setRule(failFirstAttempts(isCreate, 1, { dropAnswer: true }));
    await client.putObject('create-lost', chunks(randomBytes(11 * MiB)));
    proxy.setRule(undefined);
    expect(proxy.requests.filter((r) => isCreate(r) && r.path.endsWith('/create-lost')).length).toBe(2);
    expect(await listPendingUploads(server, bucket, 'create-lost')).toEqual([]);
  });

  it('the Store’s size equals the bucket after a lost Complete answer and after a Complete that never arrived', async () => {
    const { proxy } = ctx;
    const bucket = await createTestBucket(server, 'lost-store');
    const client = clientFor(server, bucket, {
      endpoint: proxy.endpoint,
      maxAttempts: 2,
      retryBaseDelay: 1,
      retryMaxDelay: 20,
    });
    const store = createStore({ backend: s3Backend(client) });
    proxy.setRule((r) => (isComplete(r) ? { dropAnswer: true } : undefined));
    await store.write('kept', chunks(randomBytes(11 * MiB)));
    proxy.setRule((r) => (isComplete(r) ? { reset: 'after-body' } : undefined));
    const err = await store.write('lost', chunks(randomBytes(6 * MiB))).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_UNAVAILABLE'), String(err)).toBe(true);
    expect(store.size, 'store.size is what the bucket holds').toBe(await bucketBytes(server, bucket));
    expect(store.size).toBe(11 * MiB);
    await store.close();
    await client.close();
  });
});
