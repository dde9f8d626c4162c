// Single PUTs checked end to end (src/put-verification.ts): a proxy on loopback inverts one byte of the request
// body; the server stores what it got, answers with the MD5 of it as ETag, and the client must turn that into
// INTEGRITY_ERROR with nothing left in the bucket — through the raw client and through Store.write, on Swift and
// on fauxqs. Fakes for what no local server does (ETags that are not MD5s).
import { createHash } from 'node:crypto';
import { createStore, isAttError } from '@att/store-core';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Client, s3Backend } from '../src/index.js';
import { chunks, clientFor, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { type FakeEndpoint, type RecordedRequest, startFakeEndpoint } from './support/fake-endpoint.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, type S3TestServer, s3Server, sdkClient } from './support/servers.js';

const isPut = (r: { method: string; query: Record<string, string> }) =>
  r.method === 'PUT' && !('partNumber' in r.query);

async function headStatus(server: S3TestServer, bucket: string, key: string): Promise<number> {
  try {
    await sdkClient(server).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return 200;
  } catch (err) {
    return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  }
}

async function bucketBytes(server: S3TestServer, bucket: string): Promise<number> {
  const out = await sdkClient(server).send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
}

describe.each(['swift', 'fauxqs'] as const)('a corrupted single PUT (%s)', (name) => {
  const server = s3Server(name);
  const ctx = {} as { bucket: string; proxy: FaultProxy; client: S3Client };
  beforeAll(async () => {
    ctx.bucket = await createTestBucket(server, 'put-integrity');
    ctx.proxy = await startFaultProxy(server.endpoint);
    ctx.client = clientFor(server, ctx.bucket, { endpoint: ctx.proxy.endpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    await ctx.client.close();
    await ctx.proxy.close();
  });
  afterEach(() => ctx.proxy.setRule(undefined));

  it('streamed (known size, UNSIGNED-PAYLOAD): INTEGRITY_ERROR, and the object is gone', async () => {
    const data = randomBytes(3 * MiB + 5);
    ctx.proxy.setRule((r) => (isPut(r) ? { flipByte: 2 * MiB } : undefined));
    const err = await ctx.client.putObject('streamed', chunks(data), { size: data.length }).catch((e) => e);
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    expect(err.details).toMatchObject({ operation: 'PutObject', key: 'streamed', deleted: true });
    expect(ctx.proxy.requests.filter(isPut).at(-1)?.action, 'the proxy did corrupt it').toBe('flipByte');
    expect(await headStatus(server, ctx.bucket, 'streamed'), 'HEAD after the failed write').toBe(404);
  });

  it('buffered with an unsigned payload (https-like): INTEGRITY_ERROR, and the object is gone', async () => {
    const client = clientFor(server, ctx.bucket, { endpoint: ctx.proxy.endpoint, maxAttempts: 1, signPayload: false });
    ctx.proxy.setRule((r) => (isPut(r) ? { flipByte: 10 } : undefined));
    const err = await client.putObject('buffered', randomBytes(64 * 1024)).catch((e) => e);
    await client.close();
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    expect(await headStatus(server, ctx.bucket, 'buffered')).toBe(404);
  });

  it('through Store.write: a failed write, store.size what the bucket holds, nothing visible', async () => {
    const bucket = await createTestBucket(server, 'put-integrity-store');
    const client = clientFor(server, bucket, { endpoint: ctx.proxy.endpoint, maxAttempts: 1 });
    const store = createStore({ backend: s3Backend(client) });
    const kept = randomBytes(MiB);
    await store.write('kept', chunks(kept), { size: kept.length });
    const data = randomBytes(2 * MiB);
    ctx.proxy.setRule((r) => (isPut(r) ? { flipByte: MiB + 7 } : undefined));
    const err = await store.write('corrupted', chunks(data), { size: data.length }).catch((e) => e);
    ctx.proxy.setRule(undefined);
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    expect(await headStatus(server, bucket, 'corrupted')).toBe(404);
    expect(store.size, 'store.size is what the bucket holds').toBe(await bucketBytes(server, bucket));
    expect(store.size).toBe(kept.length);
    const stat = await store.stat('corrupted').catch((e) => e);
    expect(isAttError(stat, 'NOT_FOUND'), `store.stat: ${stat}`).toBe(true);
    await store.close();
    await client.close();
  });

  it('through Store.write over an existing id: the old object was replaced, so store.size drops it too', async () => {
    const bucket = await createTestBucket(server, 'put-integrity-over');
    const client = clientFor(server, bucket, { endpoint: ctx.proxy.endpoint, maxAttempts: 1 });
    const store = createStore({ backend: s3Backend(client) });
    const old = randomBytes(MiB + 3);
    await store.write('replaced', chunks(old), { size: old.length });
    const data = randomBytes(2 * MiB);
    ctx.proxy.setRule((r) => (isPut(r) ? { flipByte: 11 } : undefined));
    const err = await store.write('replaced', chunks(data), { size: data.length }).catch((e) => e);
    ctx.proxy.setRule(undefined);
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    // S3 replaces an object atomically: the corrupted PUT replaced the old bytes before the check deleted it.
    expect(await headStatus(server, bucket, 'replaced')).toBe(404);
    expect(store.size, 'store.size is what the bucket holds').toBe(await bucketBytes(server, bucket));
    expect(store.size).toBe(0);
    await store.close();
    await client.close();
  });

  it('uncorrupted, the same writes succeed with the bytes intact (the check has no false alarms)', async () => {
    const data = randomBytes(MiB + 1);
    const info = await ctx.client.putObject('intact', chunks(data), { size: data.length });
    expect(info.size).toBe(data.length);
    expect(sha256(await readAll((await ctx.client.getObject('intact')).body))).toBe(sha256(data));
  });
});

describe('a body the server refuses for its digest (Swift checks signed payloads and Content-MD5)', () => {
  const server = s3Server('swift');

  it.each([
    ['a signed payload (SHA-256)', {}],
    ['Content-MD5', { checksum: 'md5' as const, signPayload: false }],
  ])(
    '%s: 400 BadDigest is INTEGRITY_ERROR, resent once the corruption is gone, never stored corrupted',
    async (_what, extra) => {
      const bucket = await createTestBucket(server, 'put-integrity-digest');
      const proxy = await startFaultProxy(server.endpoint, (r) => (isPut(r) ? { flipByte: 5 } : undefined));
      const client = clientFor(server, bucket, { endpoint: proxy.endpoint, maxAttempts: 1, ...extra });
      const data = randomBytes(100_000);
      const err = await client.putObject('refused', data).catch((e) => e);
      expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
      expect(err.details).toMatchObject({ httpStatus: 400, s3Code: 'BadDigest' });
      expect(await headStatus(server, bucket, 'refused')).toBe(404);
      // Retryable: with a second attempt, and the flip on the first only, the write goes through intact.
      const retrying = clientFor(server, bucket, {
        endpoint: proxy.endpoint,
        maxAttempts: 2,
        retryBaseDelay: 1,
        ...extra,
      });
      proxy.setRule((r) => (isPut(r) && r.attempt === 1 ? { flipByte: 5 } : undefined));
      await retrying.putObject('retried', data);
      expect(sha256(await readAll((await retrying.getObject('retried')).body))).toBe(sha256(data));
      await client.close();
      await retrying.close();
      await proxy.close();
    },
  );
});

describe('without the check (fauxqs)', () => {
  it("checksum: 'none' stores the corrupted bytes: the proxy's flip is real and only the check stops it", async () => {
    const server = s3Server('fauxqs');
    const bucket = await createTestBucket(server, 'put-integrity-none');
    const proxy = await startFaultProxy(server.endpoint, (r) => (isPut(r) ? { flipByte: 3 } : undefined));
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint, checksum: 'none', maxAttempts: 1 });
    const data = Buffer.alloc(1000, 1);
    await client.putObject('unchecked', chunks(data), { size: data.length });
    proxy.setRule(undefined);
    const stored = await readAll((await client.getObject('unchecked')).body);
    expect(stored.length).toBe(data.length);
    expect(stored[3]).toBe(0xfe);
    await client.close();
    await proxy.close();
  });
});

describe('ETags that are not MD5s (fakes)', () => {
  const fakes: FakeEndpoint[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  const md5 = (data: string) => createHash('md5').update(data).digest('hex');

  /** A fake that stores `storeAs(body)` and answers its PUTs with `etagOf(stored)`. */
  async function serving(
    etagOf: (stored: string) => string,
    extra: Record<string, string> = {},
    storeAs: (body: string) => string = (body) => body,
  ) {
    const stored = new Map<string, string>();
    const fake = await startFakeEndpoint((req: RecordedRequest) => {
      if (req.method === 'PUT') {
        const bytes = storeAs(req.body);
        stored.set(req.url, bytes);
        return { headers: { etag: `"${etagOf(bytes)}"`, ...extra } };
      }
      if (req.method === 'GET') return { body: stored.get(req.url) ?? '', headers: { etag: '"x"' } };
      if (req.method === 'DELETE') {
        stored.delete(req.url);
        return { status: 204 };
      }
      return { status: 400 };
    });
    fakes.push(fake);
    const client = new S3Client({
      endpoint: fake.url,
      bucket: 'b',
      region: 'us-east-1',
      accessKeyId: 'AK',
      secretAccessKey: 'secret',
      maxAttempts: 1,
    });
    return { fake, client, stored };
  }

  it('a server whose ETag is another hex string (MinIO with encryption): read back once, then trusted', async () => {
    const { fake, client } = await serving((bytes) => md5(`salt${bytes}`));
    await client.putObject('a', chunks(Buffer.from('first body')), { size: 10 });
    await client.putObject('b', chunks(Buffer.from('second body')), { size: 11 });
    expect(fake.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'PUT']);
    await client.close();
  });

  it('an SSE-KMS answer is not compared (its ETag is no MD5 of the bytes)', async () => {
    const { fake, client } = await serving(() => 'f'.repeat(32), { 'x-amz-server-side-encryption': 'aws:kms' });
    await client.putObject('k', chunks(Buffer.from('body')), { size: 4 });
    expect(fake.requests.map((r) => r.method)).toEqual(['PUT']);
    await client.close();
  });

  it('a mismatch the read-back confirms: the object is deleted, INTEGRITY_ERROR', async () => {
    const { fake, client, stored } = await serving(md5, {}, (body) => `X${body.slice(1)}`);
    const err = await client.putObject('m', chunks(Buffer.from('ours')), { size: 4 }).catch((e) => e);
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    expect(fake.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'DELETE']);
    expect(stored.size).toBe(0);
    await client.close();
  });
});
