// A single presigned PUT, straight to Swift (which checks signatures): what was signed is all the bucket takes,
// and nothing counts until the confirmation has checked the object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, confirm, download, type Harness, once, putTo, signPut, startHarness } from './harness.js';

describe('direct single PUT on Swift', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('signs, takes the exact body, confirms, charges and downloads it', async () => {
    const data = bytes(300_001);
    const signed = await signPut(h, 'report 2026.pdf', 'application/pdf', data.length);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.method).toBe('PUT');
    expect(signed.body.headers['content-type']).toBe('application/pdf');
    expect(signed.body.url).toContain(`/att/${signed.body.id}?`);
    expect(signed.body.fields, 'Uppy hands fields.key to upload-success').toEqual({ key: signed.body.key });
    expect((await h.store.usage()).reserved, 'declared size reserved at signing').toBe(data.length);

    const put = await putTo(signed.body, data);
    expect(put.status, await put.clone().text()).toBe(200);
    const answer = await confirm(h, signed.body.key);
    expect(answer.status).toBe(201);
    const body = await answer.json();
    expect(body).toMatchObject({
      id: signed.body.id,
      name: 'report 2026.pdf',
      type: 'application/pdf',
      size: 300_001,
    });
    expect(Buffer.compare(await download(h, signed.body.id), data), 'downloaded bytes').toBe(0);
    expect(await h.store.usage()).toEqual({ bytes: data.length, reserved: 0 });
    expect(h.store.size, 'store.size equals the bucket').toBe(await h.bucketBytes());
    expect(h.stored.has(signed.body.id), 'onStored ran').toBe(true);
    // The id is spent: a second confirmation is not served.
    expect((await confirm(h, signed.body.key)).status).toBe(403);
  });

  it('S3 refuses a body of another length than declared', async () => {
    const before = await h.bucketKeys();
    const signed = await signPut(h, 'a.bin', 'application/octet-stream', 1000);
    expect((await putTo(signed.body, bytes(999))).status, 'shorter').toBe(403);
    expect((await putTo(signed.body, bytes(1001))).status, 'longer').toBe(403);
    expect(await h.bucketKeys(), 'nothing written').toEqual(before);
    expect((await confirm(h, signed.body.key)).status, 'nothing to confirm').toBe(409);
  });

  it('S3 refuses another Content-Type or extra metadata', async () => {
    const signed = await signPut(h, 'a.txt', 'text/plain', 10);
    const data = bytes(10);
    expect((await putTo(signed.body, data, { 'content-type': 'text/html' })).status).toBe(403);
    expect((await putTo(signed.body, data, { 'x-amz-meta-att-filename': 'evil.html' })).status).toBe(403);
    const { 'x-amz-meta-att-created': _dropped, ...withoutCreated } = signed.body.headers;
    expect((await putTo({ url: signed.body.url, headers: withoutCreated }, data)).status).toBe(403);
    expect((await confirm(h, signed.body.key)).status, 'nothing written').toBe(409);
  });

  it('a size must be declared (400), and limits refuse before anything is signed or reserved (413)', async () => {
    const before = await h.store.usage();
    const none = await signPut(h, 'a.txt', 'text/plain', undefined);
    expect(none.status).toBe(400);
    expect(none.body.error?.code).toBe('INVALID_REQUEST');
    const res = await fetch(`${h.base}/s3/params?filename=a&type=text/plain&metadata[size]=-1`);
    expect(res.status).toBe(400);
    const limited = await startHarness({ fileSizeLimit: 1000 });
    try {
      const over = await signPut(limited, 'big.bin', 'application/octet-stream', 1001);
      expect(over.status).toBe(413);
      expect(over.body.error?.code).toBe('TOO_LARGE');
      expect(JSON.stringify(over.body)).not.toContain('X-Amz-Signature');
      expect(await limited.store.usage()).toEqual({ bytes: 0, reserved: 0 });
      const visitor = await limited.limits.ledger.usage('visitor-total:127.0.0.1');
      expect(visitor.reserved, "nothing reserved on the visitor's total").toBe(0);
    } finally {
      await limited.close();
    }
    expect(await h.store.usage()).toEqual(before);
  });

  it("the visitor's total and the store's remaining space are checked at signing", async () => {
    const small = await startHarness({ visitorTotalSizeLimit: 5000 }, { totalSizeLimit: 8000 });
    try {
      const first = await signPut(small, 'a', 'text/plain', 4000);
      expect(first.status).toBe(200);
      const second = await signPut(small, 'b', 'text/plain', 2000);
      expect(second.status, 'visitor total: 4000 reserved + 2000 > 5000').toBe(413);
      const third = await signPut(small, 'c', 'text/plain', 1000);
      expect(third.status).toBe(200);
      expect((await small.store.usage()).reserved).toBe(5000);
    } finally {
      await small.close();
    }
  });

  it('a confirmation for an id this server never issued is 403', async () => {
    const res = await confirm(h, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('FORBIDDEN');
  });

  it('a smaller object than declared (written around the URL) is refused, deleted and not charged', async () => {
    const before = await h.store.usage();
    const signed = await signPut(h, 'a.txt', 'text/plain', 1000);
    const metadata = Object.fromEntries(
      Object.entries(signed.body.headers)
        .filter(([name]) => name.startsWith('x-amz-meta-'))
        .map(([name, value]) => [name.slice('x-amz-meta-'.length), value]),
    );
    // Only the server's credentials can write around the signed URL: this stands for any other writer.
    await h.backend.put(signed.body.id, once(bytes(900)), { size: 900, contentType: 'text/plain', metadata });
    const res = await confirm(h, signed.body.key);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('SIZE_MISMATCH');
    expect(await h.bucketKeys(), 'the object is deleted').not.toContain(signed.body.id);
    expect(await h.store.usage(), 'reservation given back, nothing charged').toEqual(before);
    expect((await h.store.usage()).bytes, 'the store total equals the bucket').toBe(await h.bucketBytes());
  });
});
