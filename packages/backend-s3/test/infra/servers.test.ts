// Tests of the test infrastructure itself: the servers the globalSetup started and the helpers tests rely on.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTestBucket,
  deleteTestBucket,
  listAllKeys,
  listPendingUploads,
  rawS3,
  s3Server,
  s3Servers,
  uniqueBucketName,
} from '../support/servers.js';

describe('s3 test servers', () => {
  it('provides swift and fauxqs on loopback', () => {
    const names = s3Servers().map((s) => s.name);
    expect(names).toEqual(['swift', 'fauxqs']);
    for (const s of s3Servers()) expect(s.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3Server('swift').accessKeyId).toBe('test:tester');
  });

  it('makes DNS-safe unique bucket names', () => {
    const a = uniqueBucketName('Some Test_Name/with ünicode and a very long tail that goes on');
    expect(a).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    expect(a).not.toBe(uniqueBucketName('Some Test_Name/with ünicode and a very long tail that goes on'));
  });
});

describe.each(s3Servers().map((s) => [s.name, s] as const))('%s helpers', (name, server) => {
  it('round-trips bytes with rawS3, path-style and virtual-hosted', async () => {
    const bucket = await createTestBucket(server, `infra-${name}`);
    const body = randomBytes(100_000);
    const key = 'dir/spa ce+plus&amp%pct~tilde/ü.bin';
    const put = await rawS3(server, { method: 'PUT', bucket, key, body });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);

    const get = await rawS3(server, { method: 'GET', bucket, key });
    expect(get.status).toBe(200);
    expect(get.body.equals(body)).toBe(true);
    const vget = await rawS3(server, { method: 'GET', bucket, key, virtualHosted: true });
    expect(vget.status).toBe(200);
    expect(vget.body.equals(body)).toBe(true);
    const range = await rawS3(server, { method: 'GET', bucket, key, headers: { range: 'bytes=-5' } });
    expect(range.status).toBe(206);
    expect(range.body.equals(body.subarray(-5))).toBe(true);

    expect(await listAllKeys(server, bucket)).toEqual([key]);
    if (server.capabilities.wholeSecondTimestamps) {
      const list = await rawS3(server, { method: 'GET', bucket, query: { 'list-type': '2' } });
      expect(list.body.toString()).toMatch(/<LastModified>[^<]*T\d\d:\d\d:\d\d(\.000)?Z<\/LastModified>/);
    }
    await deleteTestBucket(server, bucket);
    const gone = await rawS3(server, { method: 'GET', bucket, key });
    expect(gone.status).toBe(404);
  });

  it('DeleteObjects via rawS3 sends Content-MD5', async () => {
    const bucket = await createTestBucket(server, 'infra-del');
    await rawS3(server, { method: 'PUT', bucket, key: 'a', body: 'x' });
    const xml = '<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>';
    const del = await rawS3(server, { method: 'POST', bucket, query: { delete: '' }, body: xml });
    expect(del.status).toBe(200);
    expect(await listAllKeys(server, bucket)).toEqual([]);
    await deleteTestBucket(server, bucket);
  });

  it('sees pending multipart uploads when the server lists them', async () => {
    const bucket = await createTestBucket(server, 'infra-mpu');
    const init = await rawS3(server, { method: 'POST', bucket, key: 'p/big', query: { uploads: '' } });
    expect(init.status).toBe(200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())?.[1];
    expect(uploadId).toBeTruthy();
    const pending = await listPendingUploads(server, bucket, 'p/');
    expect(pending).toEqual(server.capabilities.listsMultipartUploads ? [{ key: 'p/big', uploadId }] : []);
    const abort = await rawS3(server, { method: 'DELETE', bucket, key: 'p/big', query: { uploadId: uploadId ?? '' } });
    expect(abort.status).toBe(204);
    await deleteTestBucket(server, bucket);
  });

  it(`${server.capabilities.verifiesSignatures ? 'rejects' : 'accepts'} a wrong secret (capability flag is true)`, async () => {
    const bucket = await createTestBucket(server, 'infra-auth');
    const wrong = { ...server, secretAccessKey: 'wrong' };
    for (const req of [
      { method: 'GET', bucket },
      { method: 'PUT', bucket, key: 'k', body: 'x' },
      { method: 'HEAD', bucket, key: 'k' },
      { method: 'GET' },
    ]) {
      const res = await rawS3(wrong, req);
      const expected = server.capabilities.verifiesSignatures ? 403 : 200;
      expect([req.method, req.key, res.status]).toEqual([req.method, req.key, expected]);
    }
    expect(await listAllKeys(server, bucket)).toEqual(server.capabilities.verifiesSignatures ? [] : ['k']);
    await deleteTestBucket(server, bucket);
  });
});
