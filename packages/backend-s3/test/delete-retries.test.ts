// DeleteObjects accounts for every key: per-key SlowDown/InternalError are retried with backoff, an empty 200 or
// an answer that skips a key is not taken as "deleted".
import { isAttError } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '../src/index.js';
import { clientFor } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, s3Server } from './support/servers.js';

const server = s3Server('fauxqs');
const isDelete = (r: { method: string; query: Record<string, string> }) => r.method === 'POST' && 'delete' in r.query;
const result = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><DeleteResult>${inner}</DeleteResult>`;
const keyError = (key: string, code: string) =>
  `<Error><Key>d/${key}</Key><Code>${code}</Code><Message>m</Message></Error>`;

let proxy: FaultProxy;
let bucket: string;
let client: S3Client;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'delete-retries');
  proxy = await startFaultProxy(server.endpoint);
  client = clientFor(server, bucket, {
    endpoint: proxy.endpoint,
    prefix: 'd',
    maxAttempts: 3,
    retryBaseDelay: 1,
    retryMaxDelay: 20,
  });
});
afterAll(async () => {
  await client.close();
  await proxy.close();
});

/** Answers the first `times` DeleteObjects calls with `body`; later ones reach the server. */
function answerDeletes(times: number, body: string) {
  let seen = 0;
  proxy.setRule((r) => (isDelete(r) && ++seen <= times ? { status: 200, body } : undefined));
  return () => seen;
}

describe('DeleteObjects accounts for every key (fauxqs behind the proxy)', () => {
  it('retries keys that failed with SlowDown or InternalError, and deletes them', async () => {
    for (const key of ['a', 'b', 'c']) await client.putObject(key, key);
    const calls = answerDeletes(
      1,
      result(keyError('a', 'SlowDown') + keyError('b', 'InternalError') + keyError('c', 'SlowDown')),
    );
    await client.deleteObjects(['a', 'b', 'c']);
    proxy.setRule(undefined);
    expect(calls(), 'one refused call, one that went through').toBe(2);
    expect(await listAllKeys(server, bucket)).toEqual([]);
  });

  it('does not take an empty 200 as "all deleted"', async () => {
    for (const key of ['e', 'f']) await client.putObject(key, key);
    const calls = answerDeletes(1, '');
    await client.deleteObjects(['e', 'f']);
    proxy.setRule(undefined);
    expect(calls()).toBe(2);
    expect(await listAllKeys(server, bucket)).toEqual([]);
  });

  it('reports a key the server keeps skipping, after maxAttempts, and not the keys it deleted', async () => {
    proxy.setRule((r) =>
      isDelete(r) ? { status: 200, body: result('<Deleted><Key>d/g</Key></Deleted>') } : undefined,
    );
    const err = await client.deleteObjects(['g', 'h']).catch((e) => e);
    proxy.setRule(undefined);
    expect(isAttError(err, 'BACKEND_ERROR'), String(err)).toBe(true);
    expect(err.details.failures.map((f: { key: string; code: string }) => [f.key, f.code])).toEqual([
      ['h', 'NotAccountedFor'],
    ]);
    expect(proxy.requests.filter(isDelete).length).toBeGreaterThanOrEqual(3);
  });

  it('a per-key error that is not retryable is reported at once', async () => {
    const calls = answerDeletes(5, result(`${keyError('x', 'AccessDenied')}<Deleted><Key>d/y</Key></Deleted>`));
    const err = await client.deleteObjects(['x', 'y']).catch((e) => e);
    proxy.setRule(undefined);
    expect(calls()).toBe(1);
    expect(isAttError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
  });
});
