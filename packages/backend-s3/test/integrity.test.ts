// Integrity both ways: upload checksums the server verifies (Content-MD5, x-amz-checksum-crc32) on exactly the
// requests that carry buffered bytes, and whole-object downloads checked as they stream — a corrupted body ends
// with INTEGRITY_ERROR before its last bytes, so a consumer never sees it complete. Fakes on loopback for the
// corruption, Swift (which checks Content-MD5) and fauxqs for the round trips.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { crc32 as crc32Algorithm } from '../src/crc32.js';
import type { S3ClientConfig } from '../src/index.js';
import { fakeS3Client, freshClient, MiB, readAll } from './helpers/clients.js';
import { type FakeAnswer, type RecordedRequest, useFakeEndpoints } from './support/fake-endpoint.js';
import { s3Servers } from './support/servers.js';

const fake = useFakeEndpoints();

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('base64');
const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const crc32 = (data: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(data));
  return out.toString('base64');
};

const client = fakeS3Client;

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

  const UNSIGNED = 'UNSIGNED-PAYLOAD';
  const big = Buffer.alloc(11 * MiB, 6);
  big.fill(7, 5 * MiB, 10 * MiB);
  const parts = [big.subarray(0, 5 * MiB), big.subarray(5 * MiB, 10 * MiB), big.subarray(10 * MiB)];

  /** An AWS-like server: echoes the checksum of a PUT and the algorithm and type of a create. */
  function awsLike(req: RecordedRequest): FakeAnswer {
    if (req.method === 'POST' && req.url.endsWith('?uploads')) {
      const headers: Record<string, string> = {};
      if (req.headers['x-amz-checksum-algorithm']) headers['x-amz-checksum-algorithm'] = 'CRC32';
      if (req.headers['x-amz-checksum-type']) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
      return { ...multipartAnswers(req), headers };
    }
    if (req.method === 'GET') return { body: 'hello', headers: { etag: '"x-1"' } };
    const answer = multipartAnswers(req);
    const crc = req.headers['x-amz-checksum-crc32'];
    return typeof crc === 'string'
      ? { ...answer, headers: { ...answer.headers, 'x-amz-checksum-crc32': crc } }
      : answer;
  }

  it('crc32 (the default), on a server that verifies it: PUT, parts and a FULL_OBJECT completion, unsigned', async () => {
    const f = await fake(awsLike);
    const c = client(f.url, { signPayload: false });
    expect(c.config.checksum).toBe('crc32');
    await c.putObject('small', 'hello');
    await c.putObject('second', 'again');
    await c.putObject('big', big);
    await readAll((await c.getObject('small')).body);
    const [first, second] = f.requests;
    expect(first?.headers['x-amz-checksum-crc32']).toBe(crc32(Buffer.from('hello')));
    expect(second?.headers['x-amz-checksum-crc32']).toBe(crc32(Buffer.from('again')));
    expect(String(second?.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-amz-checksum-crc32/);
    expect(c.checksumsVerified).toBe(true);
    const create = f.requests.find((r) => label(r) === 'create');
    expect([create?.headers['x-amz-checksum-algorithm'], create?.headers['x-amz-checksum-type']]).toEqual([
      'CRC32',
      'FULL_OBJECT',
    ]);
    for (const [i, bytes] of parts.entries()) {
      const part = f.requests.find((r) => label(r) === `part ${i + 1}`);
      expect(part?.headers['x-amz-checksum-crc32']).toBe(crc32(bytes));
      expect(part?.headers['x-amz-content-sha256']).toBe(UNSIGNED);
      expect(part?.headers['content-md5']).toBeUndefined();
    }
    const complete = f.requests.find((r) => r.method === 'POST' && label(r) === 'complete');
    expect(complete?.headers['x-amz-checksum-crc32'], 'the whole object, from the parts').toBe(crc32(big));
    expect(complete?.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
    expect(complete?.body.match(/<ChecksumCRC32>[^<]+<\/ChecksumCRC32>/g)).toEqual(
      parts.map((bytes) => `<ChecksumCRC32>${crc32(bytes)}</ChecksumCRC32>`),
    );
    expect(f.requests.at(-1)?.headers['x-amz-checksum-mode']).toBe('ENABLED');
    await c.close();
  });

  it('crc32 on a server that ignores it (Swift, fauxqs): learned from the first answer, then not offered', async () => {
    const f = await fake((req) =>
      req.method === 'GET' ? { body: 'hello', headers: { etag: '"x-1"' } } : multipartAnswers(req),
    );
    const c = client(f.url, { signPayload: false });
    await c.putObject('small', 'hello');
    await c.putObject('second', 'again');
    await c.putObject('big', big);
    await readAll((await c.getObject('small')).body);
    const [first, second] = f.requests;
    expect(first?.headers['x-amz-checksum-crc32']).toBe(crc32(Buffer.from('hello')));
    expect(second?.headers['x-amz-checksum-crc32'], 'not offered again').toBeUndefined();
    expect(c.checksumsVerified).toBe(false);
    expect(f.requests.find((r) => label(r) === 'create')?.headers['x-amz-checksum-algorithm']).toBeUndefined();
    for (const [i, bytes] of parts.entries()) {
      const part = f.requests.find((r) => label(r) === `part ${i + 1}`);
      expect(part?.headers['x-amz-checksum-crc32']).toBeUndefined();
      // What signPayload says stays: here unsigned (https-like); over http the server checks the SHA-256.
      expect(part?.headers['x-amz-content-sha256']).toBe(UNSIGNED);
      expect(part?.body.length).toBe(bytes.length);
    }
    const complete = f.requests.find((r) => r.method === 'POST' && label(r) === 'complete');
    expect(complete?.body).not.toContain('Checksum');
    expect(f.requests.at(-1)?.headers['x-amz-checksum-mode']).toBeUndefined();
    await c.close();
  });

  it('a multipart upload the server created without CRC32 sends its parts and completion without', async () => {
    // The first request is a create: nothing learned yet, so it offers CRC32; the server ignores the offer.
    const f = await fake(multipartAnswers);
    const c = client(f.url, { signPayload: false });
    await c.putObject('big', big);
    expect(f.requests.find((r) => label(r) === 'create')?.headers['x-amz-checksum-algorithm']).toBe('CRC32');
    for (const r of f.requests.filter((x) => label(x).startsWith('part'))) {
      expect(r.headers['x-amz-checksum-crc32']).toBeUndefined();
    }
    expect(f.requests.find((r) => r.method === 'POST' && label(r) === 'complete')?.body).not.toContain('Checksum');
    await c.close();
  });

  it('a server refusing checksum headers (B2) gets the request again without them, once per client', async () => {
    const refusal = (name: string): FakeAnswer => ({
      status: 400,
      body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Error><Code>InvalidArgument</Code><Message>Unsupported header '${name}' received for this API call.</Message></Error>`,
    });
    const f = await fake((req) => {
      const offending = Object.keys(req.headers).find((h) => /^x-amz-(sdk-)?checksum-/.test(h));
      if (offending) return refusal(offending);
      return req.method === 'GET' ? { body: 'hello', headers: { etag: '"x-1"' } } : multipartAnswers(req);
    });
    const c = client(f.url, { signPayload: false });
    expect(await readAll((await c.getObject('small')).body)).toEqual(Buffer.from('hello'));
    await c.putObject('small', 'hello');
    await c.putObject('big', big);
    expect(f.requests.map((r) => `${r.method} ${r.headers['x-amz-checksum-mode'] ?? '-'}`).slice(0, 2)).toEqual([
      'GET ENABLED',
      'GET -',
    ]);
    expect(f.requests.slice(2).filter((r) => Object.keys(r.headers).some((h) => h.includes('checksum')))).toEqual([]);
    // A client that starts with an upload: the create is refused, then resent without the declaration.
    const d = client(f.url, { signPayload: false });
    await d.putObject('big2', big);
    const creates = f.requests.filter((r) => r.url.includes('big2?uploads'));
    expect(creates.map((r) => r.headers['x-amz-checksum-algorithm'] ?? '-')).toEqual(['CRC32', '-']);
    await c.close();
    await d.close();
  });

  it('serverVerifiesChecksums skips the learning: true always offers, false never', async () => {
    const f = await fake(multipartAnswers);
    const always = client(f.url, { serverVerifiesChecksums: true });
    await always.putObject('a', 'one');
    await always.putObject('b', 'two');
    expect(f.requests.map((r) => r.headers['x-amz-checksum-crc32'])).toEqual([
      crc32(Buffer.from('one')),
      crc32(Buffer.from('two')),
    ]);
    const never = client(f.url, { serverVerifiesChecksums: false });
    await never.putObject('c', 'three');
    expect(f.requests[2]?.headers['x-amz-checksum-crc32']).toBeUndefined();
    await always.close();
    await never.close();
  });

  it('none: no checksum headers; an unknown mode is INVALID_CONFIG', async () => {
    const f = await fake(multipartAnswers);
    const c = client(f.url, { checksum: 'none', signPayload: false });
    expect(c.config.verifyDownloads).toBe(false);
    await c.putObject('small', 'hello');
    expect(f.requests[0]?.headers['content-md5']).toBeUndefined();
    expect(f.requests[0]?.headers['x-amz-checksum-crc32']).toBeUndefined();
    expect(f.requests[0]?.headers['x-amz-content-sha256']).toBe(UNSIGNED);
    expect(() => client(f.url, { checksum: 'sha1' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    await c.close();
  });

  it('the whole-object CRC32 put together from parts equals the CRC32 of the bytes', () => {
    for (const sizes of [[0], [1, 0], [3, 5, 7], [5 * MiB, 5 * MiB, 1], [65_537, 1, 999_999]]) {
      const pieces = sizes.map((n, i) => Buffer.alloc(n, i * 37 + 1));
      let whole = crc32Algorithm.digest(Buffer.alloc(0));
      for (const piece of pieces) whole = crc32Algorithm.combine(whole, crc32Algorithm.digest(piece), piece.length);
      expect(whole).toBe(crc32(Buffer.concat(pieces)));
    }
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
    const ok = await drain((await client(good.url, { verifyDownloads: true }).getObject('k')).body);
    expect(ok).toEqual({ received: body.length, error: undefined });
    const bad = await serving(corrupt, { etag: `"${md5Hex(body)}"` });
    const failed = await drain((await client(bad.url, { verifyDownloads: true }).getObject('k')).body);
    expect(isAttError(failed.error, 'INTEGRITY_ERROR'), String(failed.error)).toBe(true);
    expect(failed.received, 'the last chunk is held back: the consumer never saw the whole body').toBeLessThan(
      body.length,
    );
  });

  it('by default a stored x-amz-checksum-crc32 is checked (a FULL_OBJECT multipart one too)', async () => {
    const bad = await serving(corrupt, { etag: '"multipart-3"', 'x-amz-checksum-crc32': crc32(body) });
    const failed = await drain((await client(bad.url).getObject('k')).body);
    expect(isAttError(failed.error, 'INTEGRITY_ERROR')).toBe(true);
    expect((failed.error as Error).message).toContain('CRC32');
  });

  it('not verified: multipart ETags, SSE-KMS objects, composite CRCs, range reads, MD5 ETags unless asked', async () => {
    const cases: [Record<string, string>, Partial<S3ClientConfig>, boolean][] = [
      [{ etag: `"${md5Hex(body)}-2"` }, { verifyDownloads: true }, false],
      [{ etag: `"${md5Hex(body)}"`, 'x-amz-server-side-encryption': 'aws:kms' }, { verifyDownloads: true }, false],
      [{ etag: `"${md5Hex(body)}"` }, { checksum: 'md5', verifyDownloads: false }, false],
      [{ etag: `"${md5Hex(body)}"` }, {}, false],
      [{ etag: '"m-3"', 'x-amz-checksum-crc32': `${crc32(body)}-3`, 'x-amz-checksum-type': 'COMPOSITE' }, {}, false],
      [{ etag: '"m-3"', 'x-amz-checksum-crc32': crc32(body) }, { checksum: 'none' }, false],
    ];
    for (const [headers, extra] of cases) {
      const f = await serving(corrupt, headers);
      expect((await drain((await client(f.url, extra).getObject('k')).body)).error).toBeUndefined();
    }
    const ranged = await serving(corrupt, { etag: `"${md5Hex(body)}"` });
    const got = await client(ranged.url, { verifyDownloads: true }).getObject('k', { range: { start: 0 } });
    expect((await drain(got.body)).error).toBeUndefined();
  });
});

describe.each(s3Servers().map((s) => [s.name, s] as const))('checksums on a real server (%s)', (_name, server) => {
  it('md5, crc32 and none upload and verify downloads, single and multipart, unsigned payloads too', async () => {
    for (const checksum of ['md5', 'crc32', 'none'] as const) {
      const { client: c } = await freshClient(server, `ck-${checksum}`, { checksum, signPayload: false });
      const small = Buffer.from('integrity');
      const big = Buffer.alloc(11 * MiB, 3);
      await c.putObject('small', small);
      await c.putObject('big', big);
      // Neither server verifies x-amz-checksum-*: the client learned it from the first answer.
      if (checksum === 'crc32') expect(c.checksumsVerified).toBe(false);
      expect(await readAll((await c.getObject('small')).body)).toEqual(small);
      expect((await readAll((await c.getObject('big')).body)).length).toBe(big.length);
      await c.close();
    }
  });
});
