// Multipart direct uploads on Swift: the server creates and completes the upload; each part's length is signed,
// part numbers are bounded by the declared size, and completion is the confirmation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, download, type Harness, MiB, multipart, putTo, startHarness, uploadParts } from './harness.js';

describe('direct multipart upload on Swift', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, signs each part, completes, charges and downloads 12 MiB + 7 bytes', async () => {
    const data = bytes(12 * MiB + 7);
    const config = await (await fetch(`${h.base}/s3/config`)).json();
    expect(config.partSize).toBe(5 * MiB);
    const created = await multipart.create(h, 'video.mp4', 'video/mp4', data.length);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { key, uploadId, id } = created.body;
    expect(key, 'the key is not the id (it seals the upload)').not.toBe(id);
    expect(typeof uploadId).toBe('string');
    expect((await h.store.usage()).reserved).toBe(data.length);

    const parts = await uploadParts(h, key, uploadId, data, config.partSize);
    expect(parts.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
    const listed = await multipart.list(h, key, uploadId);
    expect(listed.status).toBe(200);
    expect(listed.body.map((p: { Size: number }) => p.Size)).toEqual([5 * MiB, 5 * MiB, 2 * MiB + 7]);

    const done = await multipart.complete(h, key, uploadId, parts);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ location: `/attachments/${id}`, id, size: data.length, type: 'video/mp4' });
    expect(Buffer.compare(await download(h, id), data), 'downloaded bytes').toBe(0);
    expect(await h.store.usage()).toEqual({ bytes: data.length, reserved: 0 });
    expect((await h.store.usage()).bytes, 'the store total equals the bucket').toBe(await h.bucketBytes());
    expect((await multipart.complete(h, key, uploadId, parts)).status, 'the key is spent').toBe(403);
    expect((await multipart.sign(h, key, uploadId, 1)).status, 'for signing too').toBe(403);
  });

  it('S3 refuses a part of another length; part numbers past the declared size are refused', async () => {
    const size = 6 * MiB;
    const { body } = await multipart.create(h, 'a.bin', 'application/octet-stream', size);
    const first = await multipart.sign(h, body.key, body.uploadId, 1);
    expect((await putTo(first.body, bytes(5 * MiB - 1))).status, 'short part').toBe(403);
    const last = await multipart.sign(h, body.key, body.uploadId, 2);
    expect((await putTo(last.body, bytes(1 * MiB + 1))).status, 'long last part').toBe(403);
    expect((await multipart.sign(h, body.key, body.uploadId, 3)).status, 'a third part').toBe(400);
    expect((await multipart.sign(h, body.key, body.uploadId, 0)).status).toBe(400);
    const aborted = await multipart.abort(h, body.key, body.uploadId);
    expect(aborted.status).toBe(200);
    expect((await h.store.usage()).reserved, 'abort gives the reservation back').toBe(0);
    expect((await multipart.sign(h, body.key, body.uploadId, 1)).status, 'aborted: not issued any more').toBe(403);
  });

  it('signing for a key or upload id not issued here is 403', async () => {
    const { body } = await multipart.create(h, 'a.bin', 'application/octet-stream', 10);
    expect((await multipart.sign(h, 'AAAAAAAAAAAAAAAAAAAAAA', body.uploadId, 1)).status).toBe(403);
    expect((await multipart.sign(h, body.key, 'not-the-upload', 1)).status).toBe(403);
    expect((await multipart.complete(h, 'AAAAAAAAAAAAAAAAAAAAAA', body.uploadId, [])).status).toBe(403);
    expect((await multipart.abort(h, body.key, 'not-the-upload')).status).toBe(403);
    expect((await multipart.list(h, 'AAAAAAAAAAAAAAAAAAAAAA', body.uploadId)).status).toBe(403);
    // The key seals the upload: any altered character, or the bare id, is not a key this server issued.
    const altered = `${body.key.slice(0, 20)}${body.key[20] === 'A' ? 'B' : 'A'}${body.key.slice(21)}`;
    expect((await multipart.sign(h, altered, body.uploadId, 1)).status).toBe(403);
    expect((await multipart.sign(h, body.id, body.uploadId, 1)).status).toBe(403);
    expect((await multipart.sign(h, body.key, body.uploadId, 1)).status, 'the real key still works').toBe(200);
    await multipart.abort(h, body.key, body.uploadId);
  });

  it('completion must list exactly the declared parts; a size is required', async () => {
    const missing = await multipart.create(h, 'a.bin', 'application/octet-stream', undefined);
    expect(missing.status).toBe(400);
    const data = bytes(6 * MiB);
    const { body } = await multipart.create(h, 'a.bin', 'application/octet-stream', data.length);
    const parts = await uploadParts(h, body.key, body.uploadId, data, 5 * MiB);
    const partial = await multipart.complete(h, body.key, body.uploadId, parts.slice(0, 1));
    expect(partial.status).toBe(400);
    expect((await multipart.complete(h, body.key, body.uploadId, parts)).status).toBe(200);
    expect((await h.store.usage()).bytes).toBe(await h.bucketBytes());
  });
});
