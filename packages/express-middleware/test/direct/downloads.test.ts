// `directDownloads: true`: GET <mount>/:id is a 302 to a presigned GET, and the bucket serves the bytes with att's
// Content-Type and Content-Disposition (active types as attachments); bandwidth is charged at signing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, confirm, type Harness, putTo, signPut, startHarness } from './harness.js';

describe('direct downloads on Swift', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ directDownloads: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function upload(name: string, type: string, data: Uint8Array): Promise<string> {
    const signed = await signPut(h, name, type, data.length);
    expect((await putTo(signed.body, data)).status).toBe(200);
    expect((await confirm(h, signed.body.key)).status).toBe(201);
    return signed.body.id;
  }

  it('redirects to the bucket, which serves the bytes under att headers; bandwidth charged at signing', async () => {
    const data = bytes(40_000);
    const id = await upload('photo é.png', 'image/png', data);
    const before = await h.limits.ledger.usage('visitor-bandwidth:127.0.0.1');
    const res = await fetch(`${h.base}/${id}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location).toContain('X-Amz-Signature=');
    const after = await h.limits.ledger.usage('visitor-bandwidth:127.0.0.1');
    expect(after.committed - before.committed, 'charged at signing').toBe(data.length);

    const fromBucket = await fetch(location);
    expect(fromBucket.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await fromBucket.arrayBuffer()), data)).toBe(0);
    expect(fromBucket.headers.get('content-type')).toBe('image/png');
    expect(fromBucket.headers.get('content-disposition')).toMatch(/^inline; .*filename\*=UTF-8''photo%20%C3%A9\.png/);
  });

  it('active content goes out as an octet-stream attachment', async () => {
    const id = await upload('page.html', 'text/html', Buffer.from('<script>alert(1)</script>'));
    const res = await fetch(`${h.base}/${id}`, { redirect: 'manual' });
    const fromBucket = await fetch(res.headers.get('location') ?? '');
    expect(fromBucket.headers.get('content-type')).toBe('application/octet-stream');
    expect(fromBucket.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('a missing attachment is 404, not a redirect', async () => {
    const res = await fetch(`${h.base}/AAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' });
    expect(res.status).toBe(404);
  });
});
