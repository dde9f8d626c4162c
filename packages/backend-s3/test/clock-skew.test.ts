// A client whose clock is off by more than S3's 15 minutes: the first rejection (RequestTimeTooSkewed) teaches it
// the server's time from the Date header, it resends once, and every later request is signed right the first time.
// Swift checks the signing time for real; only this process's Date is moved (vi.setSystemTime), never the server's.
import { isAttError } from '@att/store-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isClockSkew } from '../src/errors.js';
import type { S3Client } from '../src/index.js';
import { chunks, clientFor, randomBytes, readAll } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server } from './support/servers.js';

const swift = s3Server('swift');
let proxy: FaultProxy;
let bucket: string;
let client: S3Client;

beforeAll(async () => {
  bucket = await createTestBucket(swift, 'skew');
  proxy = await startFaultProxy(swift.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});
afterEach(async () => {
  vi.useRealTimers();
  await client?.close();
});

function skewedClient(offsetMs: number): S3Client {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + offsetMs });
  client = clientFor(swift, bucket, { endpoint: proxy.endpoint, maxAttempts: 1 });
  return client;
}

const objectRequests = (key: string) => proxy.requests.filter((r) => r.path.endsWith(`/${key}`));

describe('clock skew (swift)', () => {
  it.each([
    ['ahead', 40 * 60_000],
    ['behind', -3 * 3600_000],
  ])('a clock %s by far is corrected from the server’s Date, once, and the offset is kept', async (label, offset) => {
    const c = skewedClient(offset);
    const key = `skew-${label}`;
    await c.putObject(key, 'first');
    const puts = objectRequests(key).filter((r) => r.method === 'PUT');
    expect(
      puts.map((r) => r.status),
      'rejected for its time once, then accepted',
    ).toEqual([403, 200]);
    // Kept: later requests (a stream that could not be resent, a HEAD) go through on their first attempt.
    const before = objectRequests(key).length;
    await c.putObject(key, chunks(randomBytes(1000)), { size: 1000 });
    expect((await c.headObject(key)).size).toBe(1000);
    expect(
      objectRequests(key)
        .slice(before)
        .map((r) => r.status),
    ).toEqual([200, 200]);
    const url = await c.presignGetUrl(key, { expiresIn: 60 });
    vi.useRealTimers();
    const response = await fetch(url);
    expect(response.status, 'a presigned URL is signed on the server’s time too').toBe(200);
    expect((await readAll(response.body as never)).length).toBe(1000);
  });

  it('a wrong secret is still ACCESS_DENIED, without a clock retry', async () => {
    vi.useRealTimers();
    client = clientFor({ ...swift, secretAccessKey: 'wrong' }, bucket, { endpoint: proxy.endpoint, maxAttempts: 1 });
    const before = proxy.requests.length;
    const err = await client.headObject('skew-ahead').catch((e) => e);
    expect(isAttError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
    expect(proxy.requests.length - before).toBe(1);
  });

  it('reads a signature error that blames the time as skew, and no other', () => {
    expect(isClockSkew(403, 'RequestTimeTooSkewed', undefined)).toBe(true);
    expect(isClockSkew(403, 'SignatureDoesNotMatch', 'Signature expired: 20260101T000000Z is now earlier than')).toBe(
      true,
    );
    expect(isClockSkew(403, 'AccessDenied', 'Signature not yet current: 20300101T000000Z is still later')).toBe(true);
    expect(isClockSkew(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match')).toBe(false);
    expect(isClockSkew(403, 'AccessDenied', 'Request has expired')).toBe(false);
    expect(isClockSkew(500, 'RequestTimeTooSkewed', undefined)).toBe(false);
  });
});
