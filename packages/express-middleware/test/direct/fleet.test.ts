// Two instances of one app behind a load balancer: one bucket, one shared ledger and limiter (what
// @att/state-redis gives a fleet), one `direct.secret`. Each call of an upload may land on either instance: the key
// carries the upload, the shared ledger says whether it is live. Without the shared secret the key is refused.
import { createMemoryLedger, createMemoryLimiterStore } from '@att/store-core';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, confirm, download, type Harness, MiB, multipart, putTo, signPut, startHarness } from './harness.js';

const secret = 'a fleet-wide secret of at least 32 bytes';
const fleet: Harness[] = [];

async function startFleet(secretA: string, secretB: string): Promise<[Harness, Harness]> {
  const ledger = createMemoryLedger();
  const limits = createMemoryLimiterStore();
  const a = await startHarness({ direct: { secret: secretA }, limits }, { ledger });
  fleet.push(a);
  const b = await startHarness({ direct: { secret: secretB }, limits }, { ledger }, a.bucket);
  fleet.push(b);
  return [a, b];
}

afterEach(async () => {
  await Promise.all(fleet.splice(0).map((h) => h.close()));
});

describe('direct uploads across a fleet sharing state and a secret', () => {
  it('a multipart upload whose calls alternate between instances completes and is charged once', async () => {
    const [a, b] = await startFleet(secret, secret);
    const data = bytes(11 * MiB);
    const created = await multipart.create(a, 'v.bin', 'application/octet-stream', data.length);
    expect(created.status).toBe(200);
    const { key, uploadId, id } = created.body;
    const parts = [];
    for (let n = 1, offset = 0; offset < data.length; n++, offset += 5 * MiB) {
      const signer = n % 2 === 1 ? b : a;
      const signed = await multipart.sign(signer, key, uploadId, n);
      expect(signed.status, `part ${n} signed on either instance`).toBe(200);
      const put = await putTo(signed.body, data.subarray(offset, offset + 5 * MiB));
      expect(put.status).toBe(200);
      parts.push({ PartNumber: n, ETag: put.headers.get('etag') ?? '' });
    }
    expect((await multipart.list(a, key, uploadId)).body).toHaveLength(3);
    const done = await multipart.complete(b, key, uploadId, parts);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(Buffer.compare(await download(a, id), data)).toBe(0);
    expect(await a.store.usage(), 'one ledger: charged once, nothing left reserved').toEqual({
      bytes: data.length,
      reserved: 0,
    });
    expect((await multipart.complete(a, key, uploadId, parts)).status, 'spent on every instance').toBe(403);
    expect((await multipart.sign(a, key, uploadId, 1)).status).toBe(403);
  });

  it('a single PUT signed on one instance is confirmed on another, once', async () => {
    const [a, b] = await startFleet(secret, secret);
    const data = bytes(1000);
    const signed = await signPut(a, 'a.txt', 'text/plain', data.length);
    expect((await putTo(signed.body, data)).status).toBe(200);
    expect((await confirm(b, signed.body.key)).status).toBe(201);
    expect((await confirm(a, signed.body.key)).status, 'spent on every instance').toBe(403);
    expect(await b.store.usage()).toEqual({ bytes: 1000, reserved: 0 });
  });

  it('an instance with another secret opens none of the keys', async () => {
    const [a, b] = await startFleet(secret, 'another secret, also 32 bytes or longer');
    const created = await multipart.create(a, 'v.bin', 'application/octet-stream', 10);
    expect((await multipart.sign(b, created.body.key, created.body.uploadId, 1)).status).toBe(403);
    const signed = await signPut(a, 'a.txt', 'text/plain', 10);
    expect((await confirm(b, signed.body.key)).status).toBe(403);
    expect((await multipart.abort(a, created.body.key, created.body.uploadId)).status).toBe(200);
  });

  it('a secret shorter than 32 bytes is a startup error that does not show it', async () => {
    const failure = await startHarness({ direct: { secret: 'short secret' } }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'direct.secret' } });
    expect(String((failure as Error).message)).not.toContain('short secret');
  });
});
