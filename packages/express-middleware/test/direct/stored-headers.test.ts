// Direct uploads store what a Store write stores: the object written by the browser (one presigned PUT, or parts
// of a multipart upload the server created) carries the Content-Type and Content-Disposition the middleware's GET
// serves, read back with a HEAD signed here (Swift keeps both). In the single PUT the disposition is signed: the
// bucket refuses a PUT without it or with another one.
import { signRequest } from '@att/s3-sigv4';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bytes, confirm, type Harness, MiB, multipart, putTo, signPut, startHarness, uploadParts } from './harness.js';

const NAME = 'Quartalsbericht Q1 "März".txt';
const DISPOSITION = `inline; filename="Quartalsbericht Q1 \\"Marz\\".txt"; filename*=UTF-8''Quartalsbericht%20Q1%20%22M%C3%A4rz%22.txt`;

/** Content-Type and Content-Disposition of the object behind attachment `id`, from the bucket itself. */
async function stored(h: Harness, id: string) {
  const swift = inject('directSwift');
  const url = `${swift.endpoint}/${h.bucket}/att/${id}`;
  const { headers } = signRequest({ method: 'HEAD', url }, { ...swift, service: 's3', signedPayload: false });
  const res = await fetch(url, { method: 'HEAD', headers });
  expect(res.status, `HEAD ${id} in the bucket`).toBe(200);
  return { contentType: res.headers.get('content-type'), contentDisposition: res.headers.get('content-disposition') };
}

async function served(h: Harness, id: string) {
  const res = await fetch(`${h.base}/${id}`, { method: 'HEAD' });
  expect(res.status, `HEAD ${id} through the middleware`).toBe(200);
  return { contentType: res.headers.get('content-type'), contentDisposition: res.headers.get('content-disposition') };
}

describe('direct uploads store the headers the middleware serves (Swift)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('single PUT: the disposition is signed, sent by the browser and stored', async () => {
    const data = bytes(1000);
    const signed = await signPut(h, NAME, 'text/plain', data.length);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.headers['content-disposition'], 'a header Uppy must send').toBe(DISPOSITION);
    const { 'content-disposition': _left, ...without } = signed.body.headers;
    expect((await putTo({ url: signed.body.url, headers: without }, data)).status, 'without it').toBe(403);
    expect(
      (await putTo(signed.body, data, { 'content-disposition': 'attachment; filename="x.html"' })).status,
      'another one',
    ).toBe(403);
    expect((await putTo(signed.body, data)).status).toBe(200);
    expect((await confirm(h, signed.body.key)).status).toBe(201);
    expect(await stored(h, signed.body.id)).toEqual(await served(h, signed.body.id));
    expect((await stored(h, signed.body.id)).contentDisposition).toBe(DISPOSITION);
  });

  it('multipart: the disposition is set when the server creates the upload', async () => {
    const data = bytes(6 * MiB);
    const created = await multipart.create(h, NAME, 'text/plain', data.length);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const parts = await uploadParts(h, created.body.key, created.body.uploadId, data, 5 * MiB);
    const done = await multipart.complete(h, created.body.key, created.body.uploadId, parts);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(await stored(h, created.body.id)).toEqual(await served(h, created.body.id));
    expect((await stored(h, created.body.id)).contentDisposition).toBe(DISPOSITION);
  });
});
