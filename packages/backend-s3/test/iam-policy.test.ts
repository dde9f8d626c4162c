// The IAM policy in the README is the one the tests use: it is read from README.md, and every request a Store on
// this backend makes in a full life cycle (writes of new ids, single and multipart; reads; stat; remove; sync;
// cleanup deleting an expired object and aborting a stale upload; part listing) is checked against it with AWS's
// rules. Under that policy a HEAD of a missing key is 403 on AWS, so none may be needed: new ids are written with
// `isNew`.
import { join } from 'node:path';
import { createStore } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { chunks, clientFor, MiB } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { allows, authorizationOf, missingKeyAnswer, readmePolicy } from './support/iam-policy.js';
import { createTestBucket, s3Server } from './support/servers.js';

const server = s3Server('swift');
const PREFIX = 'app';
let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'iam');
  proxy = await startFaultProxy(server.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

describe('the README IAM policy', () => {
  it('grants every request of a Store’s life cycle, and exactly the actions those requests need', async () => {
    const policy = readmePolicy(join(import.meta.dirname, '..', 'README.md'), bucket, PREFIX);
    let now = Date.now();
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint, prefix: PREFIX, partSize: 5 * MiB });
    const store = createStore({ backend: s3Backend(client), expiry: 60_000, now: () => now });
    const big = Buffer.alloc(12 * MiB, 7);

    await store.write('small1', chunks(Buffer.from('hello')), { isNew: true });
    await store.write('big1', chunks(big), { isNew: true });
    const read = await store.read('small1');
    read.body.resume();
    await new Promise((resolve) => read.body.on('end', resolve));
    expect((await store.stat('big1')).size).toBe(big.length);
    await store.remove('small1');
    await store.sync();
    const uploadId = await client.createMultipartUpload('stale1', {});
    expect(await client.listParts('stale1', uploadId)).toBeDefined();
    now += 2 * 3_600_000;
    const pass = await store.cleanup();
    // Two hours on, the object is past its expiry and the upload past the stale-upload age (an hour).
    expect(pass).toMatchObject({ expired: 1, incomplete: 1, errors: 0 });
    await store.close();

    const denied = proxy.requests
      .map((req) => ({ req, need: authorizationOf(req, bucket, `${PREFIX}/big1`) }))
      .filter(({ need }) => !allows(policy, need))
      .map(({ req, need }) => `${req.method} ${req.path} needs ${need.action} on ${need.resource}`);
    expect(denied, 'requests the README policy would refuse').toEqual([]);
    const used = new Set(proxy.requests.map((req) => authorizationOf(req, bucket).action));
    const granted = new Set(policy.Statement.flatMap((s) => s.Action));
    expect([...used].sort(), 'the policy grants what is used, and nothing unused').toEqual([...granted].sort());
    const missing = proxy.requests.filter((r) => (r.method === 'HEAD' || r.method === 'GET') && r.status === 404);
    expect(
      missing.map((r) => `${r.method} ${r.path}`),
      'no read of a missing key (403 on AWS here)',
    ).toEqual([]);
  });

  it('makes AWS answer a HEAD of a missing key with 403, which the client names as s3:ListBucket', () => {
    const policy = readmePolicy(join(import.meta.dirname, '..', 'README.md'), bucket, PREFIX);
    expect(missingKeyAnswer(policy, bucket)).toBe(403);
    // Granting s3:ListBucket without the prefix condition is what turns it into 404 (the client's hint).
    const widened = { ...policy, Statement: policy.Statement.map(({ Condition: _, ...s }) => s) };
    expect(missingKeyAnswer(widened, bucket)).toBe(404);
  });

  it('refuses what it should: objects outside the prefix, listing another prefix', () => {
    const policy = readmePolicy(join(import.meta.dirname, '..', 'README.md'), bucket, PREFIX);
    const arn = `arn:aws:s3:::${bucket}`;
    expect(allows(policy, { action: 's3:GetObject', resource: `${arn}/other/x`, context: {} })).toBe(false);
    expect(allows(policy, { action: 's3:PutObject', resource: `${arn}/${PREFIX}x/y`, context: {} })).toBe(false);
    expect(allows(policy, { action: 's3:ListBucket', resource: arn, context: { 's3:prefix': 'other/' } })).toBe(false);
    expect(allows(policy, { action: 's3:ListBucket', resource: arn, context: { 's3:prefix': `${PREFIX}/` } })).toBe(
      true,
    );
  });
});
