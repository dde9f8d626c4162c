// Readiness (Backend.check, what Store.check and a /healthz call): one ListObjectsV2 of one key that tells a
// working bucket from a missing one and from refused credentials; a missing bucket is an outage everywhere,
// never NOT_FOUND.
import { createStore, isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { chunks } from './helpers/clients.js';
import { createTestBucket, type S3TestServer, s3Servers, uniqueBucketName } from './support/servers.js';

function backendFor(server: S3TestServer, bucket: string, secretAccessKey = server.secretAccessKey) {
  return s3Backend({
    endpoint: server.endpoint,
    region: server.region,
    bucket,
    prefix: 'att',
    accessKeyId: server.accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
    maxAttempts: 1,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isAttError(err) ? err.code : `not an AttError: ${String(err)}`;
  }
}

describe.each(s3Servers().map((server) => [server.name, server] as const))('check() on %s', (_name, server) => {
  it('resolves on a bucket that exists, empty or not', async () => {
    const bucket = await createTestBucket(server, 'check-ok');
    const backend = backendFor(server, bucket);
    await backend.check();
    await backend.put('one', chunks(Buffer.from('x')));
    await backend.put('two', chunks(Buffer.from('y')));
    await createStore({ backend }).check();
    await backend.close();
  });

  it('a missing bucket is BACKEND_UNAVAILABLE for check, get and put, not NOT_FOUND', async () => {
    const backend = backendFor(server, uniqueBucketName('check-missing'));
    expect(await codeOf(backend.check())).toBe('BACKEND_UNAVAILABLE');
    expect(await codeOf(createStore({ backend }).check())).toBe('BACKEND_UNAVAILABLE');
    expect(await codeOf(backend.get('any'))).toBe('BACKEND_UNAVAILABLE');
    expect(await codeOf(backend.put('any', chunks(Buffer.from('x'))))).toBe('BACKEND_UNAVAILABLE');
    await backend.close();
  });

  it.runIf(server.capabilities.verifiesSignatures)('refused credentials are ACCESS_DENIED', async () => {
    const bucket = await createTestBucket(server, 'check-denied');
    const backend = backendFor(server, bucket, 'not-the-secret');
    expect(await codeOf(backend.check())).toBe('ACCESS_DENIED');
    expect(await codeOf(createStore({ backend }).check())).toBe('ACCESS_DENIED');
    await backend.close();
  });
});
