import { isAttError } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '../src/index.js';
import { chunks, clientFor, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { type FaultProxy, failFirstAttempts, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, listPendingUploads, type S3TestServer, s3Server } from './support/servers.js';

const isPart = (r: { method: string; query: Record<string, string> }) => r.method === 'PUT' && 'partNumber' in r.query;

/** A bucket, a fault proxy in front of the server, and a fast-retrying client that talks through the proxy. */
function setup(server: S3TestServer) {
  const ctx = {} as { bucket: string; proxy: FaultProxy; client: S3Client };
  beforeAll(async () => {
    ctx.bucket = await createTestBucket(server, 'faults');
    ctx.proxy = await startFaultProxy(server.endpoint);
    ctx.client = clientFor(server, ctx.bucket, {
      endpoint: ctx.proxy.endpoint,
      prefix: 'f',
      maxAttempts: 3,
      retryBaseDelay: 1,
      retryMaxDelay: 20,
      timeout: 2_000,
    });
  });
  afterAll(async () => {
    await ctx.client.close();
    await ctx.proxy.close();
  });
  return ctx;
}

describe('fault injection (fauxqs behind the proxy)', () => {
  const ctx = setup(s3Server('fauxqs'));

  it('retries 503 SlowDown, 500 and connection resets on resendable requests until they succeed', async () => {
    const { client, proxy } = ctx;
    const data = randomBytes(11 * MiB);
    proxy.setRule(
      failFirstAttempts(() => true, 1, { status: 503, s3Code: 'SlowDown', headers: { 'retry-after': '0' } }),
    );
    await client.putObject('buffered', data);
    await client.putObject('small', 'hello');
    proxy.setRule(failFirstAttempts(() => true, 2, { status: 500 }));
    expect((await client.headObject('buffered')).size).toBe(data.length);
    expect(sha256(await readAll((await client.getObject('buffered')).body))).toBe(sha256(data));
    proxy.setRule(failFirstAttempts((r) => r.method === 'GET', 1, 'reset'));
    const keys: string[] = [];
    for await (const o of client.listObjects()) keys.push(o.key);
    expect(keys.sort()).toEqual(['buffered', 'small']);
    proxy.setRule(failFirstAttempts(() => true, 1, { status: 503 }));
    await client.deleteObjects(['buffered', 'small']);
    proxy.setRule(undefined);
    expect(await listAllKeys(s3Server('fauxqs'), ctx.bucket)).toEqual([]);
    // Each logical request was seen more than once: the successes above came from retries.
    const retried = proxy.requests.filter((r) => r.attempt > 1);
    expect(retried.filter(isPart).length).toBeGreaterThanOrEqual(3);
    expect(retried.some((r) => r.method === 'POST' && 'delete' in r.query)).toBe(true);
  });

  it('never retries a 4xx or a one-shot stream', async () => {
    const { client, proxy } = ctx;
    proxy.setRule(() => ({ status: 400, s3Code: 'InvalidArgument' }));
    const before = proxy.requests.length;
    const err = await client.putObject('x', 'buffer body').catch((e) => e);
    expect(isAttError(err, 'BACKEND_ERROR'), String(err)).toBe(true);
    expect(err.details.s3Code).toBe('InvalidArgument');
    expect(proxy.requests.length - before).toBe(1);

    proxy.setRule(() => ({ status: 503, s3Code: 'SlowDown' }));
    const streamed = await client.putObject('y', chunks(randomBytes(1000)), { size: 1000 }).catch((e) => e);
    expect(isAttError(streamed, 'BACKEND_UNAVAILABLE'), String(streamed)).toBe(true);
    expect(streamed.retryable).toBe(true);
    expect(proxy.requests.length - before).toBe(2);
    proxy.setRule(undefined);
  });

  it('a download cut or stalled mid-body fails with an AttError', async () => {
    const { bucket, proxy } = ctx;
    const client = clientFor(s3Server('fauxqs'), bucket, { endpoint: proxy.endpoint, timeout: 500, maxAttempts: 1 });
    await client.putObject('cut', randomBytes(2 * MiB));
    proxy.setRule((r) => (r.method === 'GET' ? { resetAfterBytes: 100_000 } : undefined));
    const { body } = await client.getObject('cut');
    const cut = await readAll(body).catch((e) => e);
    expect(isAttError(cut, 'BACKEND_UNAVAILABLE'), String(cut)).toBe(true);
    proxy.setRule(undefined);
    const controller = new AbortController();
    const { body: aborted } = await client.getObject('cut', { signal: controller.signal });
    aborted.once('data', () => controller.abort());
    const err = await readAll(aborted).catch((e) => e);
    expect(isAttError(err, 'ABORTED'), String(err)).toBe(true);
    await client.close();
  });

  it('turns malformed XML into a clear BACKEND_ERROR', async () => {
    const { client, proxy } = ctx;
    proxy.setRule(() => ({ malformedXml: true }));
    const listing = await (async () => {
      for await (const _ of client.listObjects());
    })().catch((e) => e);
    expect(isAttError(listing, 'BACKEND_ERROR'), String(listing)).toBe(true);
    expect(listing.message).toMatch(/ListObjectsV2.*malformed XML/);
    const create = await client.putObject('z', randomBytes(11 * MiB)).catch((e) => e);
    expect(isAttError(create, 'BACKEND_ERROR'), String(create)).toBe(true);
    expect(create.message).toMatch(/CreateMultipartUpload.*malformed XML/);
    proxy.setRule(undefined);
  });

  it('fires the per-request timeout as TIMEOUT, after the allowed attempts', async () => {
    const { bucket, proxy } = ctx;
    const server = s3Server('fauxqs');
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint, timeout: 300, maxAttempts: 2 });
    await client.putObject('t', 'x');
    proxy.setRule(() => ({ stallMs: 5_000 }));
    const before = proxy.requests.length;
    const err = await client.headObject('t').catch((e) => e);
    expect(isAttError(err, 'TIMEOUT'), String(err)).toBe(true);
    expect(proxy.requests.length - before).toBe(2);
    proxy.setRule(undefined);
    await client.close();
  });

  it('surfaces per-key DeleteObjects errors with relative keys, ignoring keys already gone', async () => {
    const { client, proxy } = ctx;
    const result =
      '<?xml version="1.0" encoding="UTF-8"?><DeleteResult>' +
      '<Error><Key>f/gone</Key><Code>NoSuchKey</Code><Message>missing</Message></Error>' +
      '<Error><Key>f/locked &amp; key</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>';
    proxy.setRule((r) => (r.method === 'POST' && 'delete' in r.query ? { status: 200, body: result } : undefined));
    const err = await client.deleteObjects(['gone', 'locked & key']).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
    expect(err.details.failures).toEqual([{ key: 'locked & key', code: 'AccessDenied', message: 'no' }]);
  });

  it('retries a CompleteMultipartUpload that answers 200 with an InternalError body', async () => {
    const { client, proxy } = ctx;
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>x</Message></Error>';
    proxy.setRule(failFirstAttempts((r) => r.method === 'POST' && 'uploadId' in r.query, 1, { status: 200, body }));
    const data = randomBytes(6 * MiB);
    const before = proxy.requests.length;
    await client.putObject('complete-200', data);
    proxy.setRule(undefined);
    const completes = proxy.requests.slice(before).filter((r) => r.method === 'POST' && 'uploadId' in r.query);
    expect(completes.map((r) => r.attempt)).toEqual([1, 2]);
    expect(sha256(await readAll((await client.getObject('complete-200')).body))).toBe(sha256(data));
    await client.deleteObjects(['complete-200']);
  });

  it('reports an abort that fails too, with both errors', async () => {
    const { client, proxy } = ctx;
    proxy.setRule((r) =>
      (isPart(r) && r.query.partNumber === '2') || (r.method === 'DELETE' && 'uploadId' in r.query)
        ? { status: 500 }
        : undefined,
    );
    const err = await client.putObject('both', randomBytes(11 * MiB)).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_UNAVAILABLE'), String(err)).toBe(true);
    expect(err.message).toMatch(/aborting multipart upload .* failed too/);
    expect(err.details.abortFailed).toBe(true);
    expect(err.cause).toBeInstanceOf(AggregateError);
    expect((err.cause as AggregateError).errors).toHaveLength(2);
    await client.abortMultipartUpload('both', err.details.uploadId);
  });
});

describe('fault injection (swift behind the proxy)', () => {
  const swift = s3Server('swift');
  const ctx = setup(swift);

  it('a part failing for good aborts the upload: no object and no pending upload', async () => {
    const { client, proxy, bucket } = ctx;
    proxy.setRule((r) => (isPart(r) && r.query.partNumber === '2' ? { status: 503, s3Code: 'SlowDown' } : undefined));
    const err = await client.putObject('doomed', chunks(randomBytes(16 * MiB))).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_UNAVAILABLE'), String(err)).toBe(true);
    expect(proxy.requests.filter((r) => isPart(r) && r.query.partNumber === '2').length).toBe(3);
    expect(proxy.requests.some((r) => r.method === 'DELETE' && 'uploadId' in r.query)).toBe(true);
    expect(await listAllKeys(swift, bucket)).toEqual([]);
    expect(await listPendingUploads(swift, bucket)).toEqual([]);
  });

  it('a failed CompleteMultipartUpload is aborted too', async () => {
    const { client, proxy, bucket } = ctx;
    proxy.setRule((r) =>
      r.method === 'POST' && 'uploadId' in r.query ? { status: 400, s3Code: 'InvalidPart' } : undefined,
    );
    const err = await client.putObject('incomplete', randomBytes(6 * MiB)).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_ERROR'), String(err)).toBe(true);
    expect(err.details.s3Code).toBe('InvalidPart');
    expect(await listAllKeys(swift, bucket)).toEqual([]);
    expect(await listPendingUploads(swift, bucket)).toEqual([]);
  });
});
