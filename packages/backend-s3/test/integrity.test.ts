// Integrity both ways: upload checksums the server verifies (Content-MD5, x-amz-checksum-crc32) on exactly the
// requests that carry buffered bytes, and whole-object downloads checked as they stream — a corrupted body ends
// with INTEGRITY_ERROR before its last bytes, so a consumer never sees it complete. Fakes on loopback for the
// corruption, Swift (which checks Content-MD5) and fauxqs for the round trips.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { isAttError } from '@att/store-core';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Client, type S3ClientConfig } from '../src/index.js';
import { freshClient, MiB, readAll } from './helpers/clients.js';
import {
  type FakeAnswer,
  type FakeEndpoint,
  type RecordedRequest,
  startFakeEndpoint,
} from './support/fake-endpoint.js';
import { s3Servers } from './support/servers.js';

const fakes: FakeEndpoint[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('base64');
const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const crc32 = (data: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(data));
  return out.toString('base64');
};

async function fake(handle: (req: RecordedRequest) => FakeAnswer) {
  const f = await startFakeEndpoint(handle);
  fakes.push(f);
  return f;
}

function client(endpoint: string, extra: Partial<S3ClientConfig> = {}) {
  return new S3Client({
    endpoint,
    bucket: 'b',
    region: 'us-east-1',
    accessKeyId: 'AK',
    secretAccessKey: 'secret',
    partSize: 5 * MiB,
    maxAttempts: 1,
    ...extra,
  });
}

function label(req: RecordedRequest): string {
  const part = /partNumber=(\d+)/.exec(req.url)?.[1];
  if (part) return `part ${part}`;
  if (req.url.endsWith('?uploads')) return 'create';
  if (req.url.includes('uploadId=')) return 'complete';
  return 'single';
}

function multipartAnswers(req: RecordedRequest): FakeAnswer {
  if (req.method === 'POST' && req.url.endsWith('?uploads')) {
    return { body: '<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>' };
  }
  if (req.method === 'POST')
    return { body: '<CompleteMultipartUploadResult><ETag>"m-2"</ETag></CompleteMultipartUploadResult>' };
  return { headers: { etag: `"${md5Hex(req.body)}"` } };
}

describe('upload checksums', () => {
  it('md5: Content-MD5 of the exact bytes on PutObject and every UploadPart, signed; not elsewhere', async () => {
    const f = await fake(multipartAnswers);
    const c = client(f.url, { checksum: 'md5' });
    const big = Buffer.alloc(7 * MiB, 5);
    await c.putObject('small', 'hello');
    await c.putObject('big', big);
    // Parts go up concurrently: compare by request, not by arrival order.
    const seen = Object.fromEntries(f.requests.map((r) => [`${r.method} ${label(r)}`, r.headers['content-md5']]));
    expect(seen).toEqual({
      'PUT single': md5('hello'),
      'POST create': undefined,
      'PUT part 1': md5(big.subarray(0, 5 * MiB)),
      'PUT part 2': md5(big.subarray(5 * MiB)),
      'POST complete': undefined,
    });
    for (const r of f.requests.filter((x) => x.headers['content-md5'])) {
      expect(String(r.headers.authorization)).toMatch(/SignedHeaders=[^,]*content-md5/);
    }
    await c.close();
  });

  it('crc32: x-amz-checksum-crc32 on a single PutObject, Content-MD5 on parts; GET asks for the checksum', async () => {
    const f = await fake((req) =>
      req.method === 'GET' ? { body: 'hello', headers: { etag: '"x-1"' } } : multipartAnswers(req),
    );
    const c = client(f.url, { checksum: 'crc32' });
    const big = Buffer.alloc(6 * MiB, 6);
    await c.putObject('small', 'hello');
    await c.putObject('big', big);
    await readAll((await c.getObject('small')).body);
    expect(f.requests[0]?.headers['x-amz-checksum-crc32']).toBe(crc32(Buffer.from('hello')));
    expect(f.requests[0]?.headers['content-md5']).toBeUndefined();
    expect(f.requests.find((r) => label(r) === 'part 1')?.headers['content-md5']).toBe(md5(big.subarray(0, 5 * MiB)));
    expect(f.requests.at(-1)?.headers['x-amz-checksum-mode']).toBe('ENABLED');
    await c.close();
  });

  it('none (the default): no checksum headers; an unknown mode is INVALID_CONFIG', async () => {
    const f = await fake(multipartAnswers);
    const c = client(f.url);
    expect(c.config.checksum).toBe('none');
    expect(c.config.verifyDownloads).toBe(false);
    await c.putObject('small', 'hello');
    expect(f.requests[0]?.headers['content-md5']).toBeUndefined();
    expect(f.requests[0]?.headers['x-amz-checksum-crc32']).toBeUndefined();
    expect(() => client(f.url, { checksum: 'sha1' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    await c.close();
  });
});

describe('download verification', () => {
  const body = Buffer.alloc(3 * MiB + 123, 7);
  const corrupt = Buffer.from(body);
  corrupt[corrupt.length - 10] = 0;

  async function serving(content: Buffer, headers: Record<string, string>) {
    return fake(() => ({
      headers: { 'content-length': String(content.length), ...headers },
      body: content.toString('latin1'),
    }));
  }

  /** Reads a body to its end or error; returns the bytes received and the error. */
  async function drain(stream: AsyncIterable<Uint8Array>) {
    let received = 0;
    try {
      for await (const chunk of stream) received += chunk.length;
      return { received, error: undefined };
    } catch (error) {
      return { received, error };
    }
  }

  it('an ETag that is the MD5 of the bytes: a match reads through, a mismatch fails INTEGRITY_ERROR before the end', async () => {
    const good = await serving(body, { etag: `"${md5Hex(body)}"` });
    const ok = await drain((await client(good.url, { checksum: 'md5' }).getObject('k')).body);
    expect(ok).toEqual({ received: body.length, error: undefined });
    const bad = await serving(corrupt, { etag: `"${md5Hex(body)}"` });
    const failed = await drain((await client(bad.url, { checksum: 'md5' }).getObject('k')).body);
    expect(isAttError(failed.error, 'INTEGRITY_ERROR'), String(failed.error)).toBe(true);
    expect(failed.received, 'the last chunk is held back: the consumer never saw the whole body').toBeLessThan(
      body.length,
    );
  });

  it('x-amz-checksum-crc32 is preferred when present', async () => {
    const bad = await serving(corrupt, { etag: '"multipart-3"', 'x-amz-checksum-crc32': crc32(body) });
    const failed = await drain((await client(bad.url, { checksum: 'crc32' }).getObject('k')).body);
    expect(isAttError(failed.error, 'INTEGRITY_ERROR')).toBe(true);
    expect((failed.error as Error).message).toContain('CRC32');
  });

  it('not verified: multipart ETags, SSE-KMS objects, range reads, verifyDownloads false', async () => {
    const cases: [Record<string, string>, Partial<S3ClientConfig>, boolean][] = [
      [{ etag: `"${md5Hex(body)}-2"` }, { checksum: 'md5' }, false],
      [{ etag: `"${md5Hex(body)}"`, 'x-amz-server-side-encryption': 'aws:kms' }, { checksum: 'md5' }, false],
      [{ etag: `"${md5Hex(body)}"` }, { checksum: 'md5', verifyDownloads: false }, false],
      [{ etag: `"${md5Hex(body)}"` }, {}, false],
    ];
    for (const [headers, extra] of cases) {
      const f = await serving(corrupt, headers);
      expect((await drain((await client(f.url, extra).getObject('k')).body)).error).toBeUndefined();
    }
    const ranged = await serving(corrupt, { etag: `"${md5Hex(body)}"` });
    const got = await client(ranged.url, { checksum: 'md5' }).getObject('k', { range: { start: 0 } });
    expect((await drain(got.body)).error).toBeUndefined();
  });
});

describe.each(s3Servers().map((s) => [s.name, s] as const))('checksums on a real server (%s)', (_name, server) => {
  it('md5 and crc32 modes upload and verify downloads, single and multipart, unsigned payloads too', async () => {
    for (const checksum of ['md5', 'crc32'] as const) {
      const { client: c } = await freshClient(server, `ck-${checksum}`, { checksum, signPayload: false });
      const small = Buffer.from('integrity');
      const big = Buffer.alloc(11 * MiB, 3);
      await c.putObject('small', small);
      await c.putObject('big', big);
      expect(await readAll((await c.getObject('small')).body)).toEqual(small);
      expect((await readAll((await c.getObject('big')).body)).length).toBe(big.length);
      await c.close();
    }
  });
});
