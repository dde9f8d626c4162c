// The headers an attachment is downloaded with agree wherever it is downloaded from: through the middleware, or
// straight from the bucket (a CDN, a presigned URL, the SDK). Uploads go through the real middleware into Swift and
// fauxqs; the objects are read back with @aws-sdk/client-s3 and compared with the middleware's own GET answer.
import { parseContentDispositionFilename } from '@att/store-core';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../express-middleware/test/fixture.js';
import { s3Backend } from '../src/index.js';
import { freshClient, MiB, randomBytes } from './helpers/clients.js';
import { s3Servers, sdkClient } from './support/servers.js';

describe.each(s3Servers().map((s) => [s.name, s] as const))('download headers agree (%s)', (_name, server) => {
  let base = '';
  let bucket = '';
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const fresh = await freshClient(server, 'disposition');
    bucket = fresh.bucket;
    // The middleware's own test server (Express 5), on this S3 backend instead of its directory.
    const running = await startServer(
      { visitorTotalSizeLimit: false, visitorDailyBandwidth: false },
      { expiry: 3_600_000 },
      () => s3Backend(fresh.client),
    );
    base = running.base;
    close = () => running.close();
  });
  afterAll(() => close());

  async function upload(body: Uint8Array, filename: string, type: string): Promise<{ id: string; type: string }> {
    const res = await fetch(`${base}/?filename=${encodeURIComponent(filename)}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; type: string };
  }

  const cases = [
    // A passive type with a non-ASCII name: inline, the UTF-8 name in filename*, an ASCII fallback.
    {
      filename: 'résumé "final" (v2).pdf',
      type: 'application/pdf',
      body: Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1'),
      disposition: 'inline',
    },
    // Active content: an attachment wherever it comes from (the middleware also serves it as octet-stream).
    {
      filename: 'page.html',
      type: 'text/html; charset=utf-8',
      body: Buffer.from('<!doctype html><title>x</title><p>hello</p>'),
      disposition: 'attachment',
    },
    // Multipart (the client's part size is 5 MiB): CreateMultipartUpload carries the header.
    { filename: 'большой.bin', type: 'application/octet-stream', body: randomBytes(6 * MiB), disposition: 'inline' },
  ];

  it.each(cases)('$filename ($type)', async ({ filename, type, body, disposition }) => {
    const size = body.length;
    const { id, type: stored } = await upload(body, filename, type);
    expect(stored).toBe(type);
    const served = await fetch(`${base}/${id}`);
    expect(served.status).toBe(200);
    await served.arrayBuffer();
    const fromMiddleware = served.headers.get('content-disposition');
    expect(fromMiddleware?.startsWith(`${disposition}; filename="`)).toBe(true);
    expect(parseContentDispositionFilename(fromMiddleware ?? undefined)).toBe(filename);
    expect(fromMiddleware).toMatch(/^[\x20-\x7e]+$/);

    const sdk = sdkClient(server);
    const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: id }));
    // fauxqs keeps no Content-Disposition at all (capabilities.storesObjectHeaders).
    const kept = server.capabilities.storesObjectHeaders;
    if (kept) expect(head.ContentDisposition).toBe(fromMiddleware);
    expect(head.ContentLength).toBe(size);
    // The stored type is the uploaded one; the middleware only swaps active types for octet-stream.
    expect(head.ContentType).toBe(type);
    expect(served.headers.get('content-type')).toBe(disposition === 'attachment' ? 'application/octet-stream' : type);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    // A plain GET (what a CDN or a presigned URL gets) answers with the same disposition.
    const got = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: id }));
    if (kept) expect(got.ContentDisposition).toBe(fromMiddleware);
    await got.Body?.transformToByteArray();
  });
});
