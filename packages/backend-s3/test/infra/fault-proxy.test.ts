// Tests of the fault proxy itself, in front of the real Swift (signatures must survive the hop).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, failFirstAttempts, startFaultProxy } from '../support/fault-proxy.js';
import { createTestBucket, deleteTestBucket, rawS3, s3Server } from '../support/servers.js';

const swift = s3Server('swift');
let proxy: FaultProxy;
let bucket: string;
const viaProxy = () => ({ ...swift, endpoint: proxy.endpoint });

beforeAll(async () => {
  bucket = await createTestBucket(swift, 'fault-proxy');
  proxy = await startFaultProxy(swift.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  if (bucket) await deleteTestBucket(swift, bucket);
});

describe('fault proxy', () => {
  it('passes a signed PUT and GET through byte-exact (Host kept, signature verifies)', async () => {
    proxy.setRule(undefined);
    const before = proxy.requests.length;
    const body = randomBytes(3 * 1024 * 1024 + 7);
    const put = await rawS3(viaProxy(), { method: 'PUT', bucket, key: 'through/é x+y', body });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const get = await rawS3(viaProxy(), { method: 'GET', bucket, key: 'through/é x+y' });
    expect(get.status).toBe(200);
    expect(get.body.equals(body)).toBe(true);
    // Read back directly from Swift too: the proxy stored exactly these bytes.
    const direct = await rawS3(swift, { method: 'GET', bucket, key: 'through/é x+y' });
    expect(direct.body.equals(body)).toBe(true);
    expect(proxy.requests.slice(before).map((r) => [r.method, r.path, r.action, r.status])).toEqual([
      ['PUT', `/${bucket}/through/%C3%A9%20x%2By`, 'pass', 200],
      ['GET', `/${bucket}/through/%C3%A9%20x%2By`, 'pass', 200],
    ]);
  });

  it('still rejects a wrong signature through the proxy', async () => {
    proxy.setRule(undefined);
    const res = await rawS3({ ...viaProxy(), secretAccessKey: 'nope' }, { method: 'GET', bucket });
    expect(res.status).toBe(403);
  });

  it('injects a 503 SlowDown with an S3 XML body and Retry-After, then passes the retry', async () => {
    proxy.setRule(failFirstAttempts((r) => r.method === 'PUT', 1, { status: 503, headers: { 'retry-after': '1' } }));
    const first = await rawS3(viaProxy(), { method: 'PUT', bucket, key: 'slow', body: 'abc' });
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.body.toString()).toMatch(/<Code>SlowDown<\/Code>/);
    // Nothing reached the server.
    expect((await rawS3(swift, { method: 'HEAD', bucket, key: 'slow' })).status).toBe(404);
    // rawS3 signs each call afresh; the same URL counts as attempt 2 and passes.
    const second = await rawS3(viaProxy(), { method: 'PUT', bucket, key: 'slow', body: 'abc' });
    expect(second.status).toBe(200);
    expect(proxy.requests.filter((r) => r.path === `/${bucket}/slow`).map((r) => r.attempt)).toEqual([1, 2]);
    expect(proxy.count('PUT', { pathPrefix: `/${bucket}/slow` })).toBe(2);
  });

  it('resets the connection before and after the request body', async () => {
    for (const reset of ['reset', { reset: 'after-body' }] as const) {
      proxy.setRule((r) => (r.method === 'PUT' ? reset : undefined));
      await expect(
        rawS3(viaProxy(), { method: 'PUT', bucket, key: 'reset', body: randomBytes(100_000) }),
      ).rejects.toThrow(/socket hang up|ECONNRESET|EPIPE/);
    }
    proxy.setRule(undefined);
    expect((await rawS3(swift, { method: 'HEAD', bucket, key: 'reset' })).status).toBe(404);
  });

  it('cuts a download after N bytes', async () => {
    proxy.setRule(undefined);
    await rawS3(viaProxy(), { method: 'PUT', bucket, key: 'cut', body: randomBytes(1_000_000) });
    proxy.setRule((r) => (r.method === 'GET' ? { resetAfterBytes: 1000 } : undefined));
    await expect(rawS3(viaProxy(), { method: 'GET', bucket, key: 'cut' })).rejects.toThrow(/aborted|ECONNRESET/);
  });

  it('stalls a request long enough for a client timeout, and answers with malformed XML', async () => {
    proxy.setRule(() => ({ stallMs: 30_000 }));
    await expect(rawS3(viaProxy(), { method: 'GET', bucket, timeoutMs: 200 })).rejects.toThrow(/timed out/);
    expect(proxy.requests.at(-1)?.action).toBe('stall');

    proxy.setRule(() => ({ stallMs: 50, andThen: { malformedXml: true } }));
    const bad = await rawS3(viaProxy(), { method: 'GET', bucket, query: { 'list-type': '2' } });
    expect(bad.status).toBe(200);
    expect(bad.body.toString()).toMatch(/<Key>$/);
    expect(proxy.requests.at(-1)?.action).toBe('stall:malformedXml');
  });

  it('answers HEAD faults without a body and survives a throwing rule', async () => {
    proxy.setRule(() => ({ status: 500 }));
    const head = await rawS3(viaProxy(), { method: 'HEAD', bucket, key: 'x' });
    expect([head.status, head.body.length]).toEqual([500, 0]);
    proxy.setRule(() => {
      throw new Error('oops');
    });
    const res = await rawS3(viaProxy(), { method: 'GET', bucket });
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('InternalError');
  });
});
