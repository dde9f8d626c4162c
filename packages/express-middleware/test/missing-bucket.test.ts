// A bucket that does not exist (deleted, or misnamed in the config) is an outage: 503 "storage unavailable" with
// a request id that onError gets too, never a 404 that reads as "no such attachment", and never the bucket's name.
import { randomUUID } from 'node:crypto';
import { s3Backend } from '@att/backend-s3';
import { afterEach, expect, inject, it } from 'vitest';
import { bytes, describeOnEachExpress, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describeOnEachExpress('a missing bucket', () => {
  it('answers 503 storage unavailable to uploads and downloads, with the request id logged', async () => {
    const bucket = `att-gone-${randomUUID().slice(0, 8)}`;
    const seen: { message: string; requestId: string | undefined }[] = [];
    server = await startServer(
      { onError: (err, _req, context) => void seen.push({ message: String(err), requestId: context?.requestId }) },
      {},
      () => s3Backend({ ...inject('directSwift'), bucket, prefix: 'att', forcePathStyle: true, maxAttempts: 1 }),
    );
    const form = new FormData();
    form.append('file', new Blob([bytes(10)]), 'a.bin');
    const answers = [
      await fetch(`${server.base}/AAAAAAAAAAAAAAAAAAAAAA`),
      await fetch(`${server.base}/`, { method: 'POST', body: bytes(10) }),
      await fetch(`${server.base}/`, { method: 'POST', body: form }),
    ];
    for (const res of answers) {
      const text = await res.text();
      expect([res.url, res.status]).toEqual([res.url, 503]);
      const { error } = JSON.parse(text);
      expect(error).toEqual({
        code: 'BACKEND_UNAVAILABLE',
        message: 'storage unavailable',
        requestId: expect.any(String),
      });
      expect(text).not.toContain(bucket);
      expect(text).not.toContain('NoSuchBucket');
      expect(seen.map((s) => s.requestId)).toContain(error.requestId);
    }
    // The operator's side names the cause.
    expect(seen.some((s) => s.message.includes('NoSuchBucket'))).toBe(true);
  });
});
