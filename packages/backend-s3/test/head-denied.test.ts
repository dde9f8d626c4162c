// A HEAD refused with 403 (no body to say why) names the permission that usually fixes it: s3:ListBucket, without
// which S3 answers 403 instead of 404 for a missing key (the Store's pre-write HEAD of a new id).
import { isAttError } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server } from './support/servers.js';

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
