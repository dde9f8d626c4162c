// `checksum: 'crc32c' | 'crc64nvme'`: the same upload and download paths as CRC32 with the other algorithms —
// headers, multipart declarations, per-part digests, the FULL_OBJECT digest combined from the parts, aws-chunked
// trailers, stored-checksum verification — with every digest checked against the reference implementations
// (@aws-crypto/crc32c, @aws-sdk/crc64-nvme). Fakes for an AWS-like server; Swift and fauxqs for the round trips.

import { isAttError } from '@att/store-core';
import { crc32c as referenceCrc32c } from '@aws-crypto/crc32c';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { describe, expect, it } from 'vitest';
import type { S3ClientConfig } from '../src/index.js';
import { chunks, fakeS3Client, freshClient, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { type FakeAnswer, type RecordedRequest, useFakeEndpoints } from './support/fake-endpoint.js';
import { s3Server, s3Servers, sdkClient } from './support/servers.js';

const MODES = [
  { mode: 'crc32c', s3Name: 'CRC32C', header: 'x-amz-checksum-crc32c' },
  { mode: 'crc64nvme', s3Name: 'CRC64NVME', header: 'x-amz-checksum-crc64nvme' },
] as const;

async function reference(mode: 'crc32c' | 'crc64nvme', data: Uint8Array): Promise<string> {
  if (mode === 'crc32c') {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(referenceCrc32c(data));
    return out.toString('base64');
  }
  const hash = new Crc64Nvme();
  hash.update(data);
  return Buffer.from(await hash.digest()).toString('base64');
}

const startFake = useFakeEndpoints();

const client = (endpoint: string, extra: Partial<S3ClientConfig> = {}) =>
  fakeS3Client(endpoint, { signPayload: false, ...extra });

/** An AWS-like server: echoes a PUT's checksum headers and a create's algorithm and type. */
function awsLike(req: RecordedRequest): FakeAnswer {
  const echoed = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => /^x-amz-checksum-(crc|algorithm|type)/.test(name)),
  ) as Record<string, string>;
  if (req.method === 'POST' && req.url.endsWith('?uploads')) {
    return {
      headers: echoed,
      body: '<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>',
    };
  }
  if (req.method === 'POST') {
    return { body: '<CompleteMultipartUploadResult><ETag>"m-3"</ETag></CompleteMultipartUploadResult>' };
  }
  return { headers: { etag: '"x"', ...echoed } };
}

const label = (req: RecordedRequest) => {
  const part = /partNumber=(\d+)/.exec(req.url)?.[1];
  if (part) return `part ${part}`;
  if (req.url.endsWith('?uploads')) return 'create';
  if (req.url.includes('uploadId=')) return 'complete';
  return `${req.method} ${req.url.split('/').at(-1)}`;
};

describe.each(MODES)('checksum: $mode', ({ mode, s3Name, header }) => {
  const big = randomBytes(11 * MiB);
  const parts = [big.subarray(0, 5 * MiB), big.subarray(5 * MiB, 10 * MiB), big.subarray(10 * MiB)];

  it('on a server that verifies it: PUT, declared multipart with part digests and the combined whole, trailer', async () => {
    const f = await startFake(awsLike);
    const c = client(f.url, { checksum: mode });
    await c.putObject('small', 'hello');
    expect(c.checksumsVerified).toBe(true);
    await c.putObject('big', big);
    const streamed = randomBytes(100_000);
    await c.putObject('streamed', chunks(streamed), { size: streamed.length });
    const byLabel = new Map(f.requests.map((r) => [label(r), r]));
    expect(byLabel.get('PUT small')?.headers[header]).toBe(await reference(mode, Buffer.from('hello')));
    expect(byLabel.get('PUT small')?.headers['x-amz-checksum-crc32']).toBeUndefined();
    expect(byLabel.get('create')?.headers).toMatchObject({
      'x-amz-checksum-algorithm': s3Name,
      'x-amz-checksum-type': 'FULL_OBJECT',
    });
    for (const [i, bytes] of parts.entries()) {
      expect(byLabel.get(`part ${i + 1}`)?.headers[header], `part ${i + 1}`).toBe(await reference(mode, bytes));
    }
    const complete = byLabel.get('complete');
    expect(complete?.headers[header], 'the whole object, combined from the parts').toBe(await reference(mode, big));
    expect(complete?.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
    const element = `Checksum${s3Name}`;
    const expected = await Promise.all(
      parts.map(async (bytes) => `<${element}>${await reference(mode, bytes)}</${element}>`),
    );
    expect(complete?.body.match(new RegExp(`<${element}>[^<]+</${element}>`, 'g'))).toEqual(expected);
    const trailer = byLabel.get('PUT streamed');
    expect(trailer?.headers['x-amz-trailer']).toBe(header);
    expect(trailer?.raw.toString('latin1').endsWith(`${header}:${await reference(mode, streamed)}\r\n\r\n`)).toBe(true);
    await c.close();
  });

  it('downloads are checked against a stored digest of this algorithm: INTEGRITY_ERROR before the end', async () => {
    // ASCII bytes: the fake sends its body as a string.
    const body = randomBytes(2 * MiB + 5).map((byte) => byte & 0x7f);
    const corrupt = Buffer.from(body);
    corrupt[1000] = (corrupt[1000] as number) ^ 1;
    const stored = await reference(mode, body);
    for (const [content, ok] of [
      [body, true],
      [corrupt, false],
    ] as const) {
      const f = await startFake(() => ({
        headers: { 'content-length': String(content.length), etag: '"m-2"', [header]: stored },
        body: content.toString('latin1'),
      }));
      const c = client(f.url, { checksum: mode });
      const got = await c.getObject('k');
      expect(f.requests[0]?.headers['x-amz-checksum-mode']).toBe('ENABLED');
      let received = 0;
      const error = await (async () => {
        for await (const chunk of got.body) received += chunk.length;
      })().catch((e) => e);
      if (ok) expect([error, received]).toEqual([undefined, body.length]);
      else {
        expect(isAttError(error, 'INTEGRITY_ERROR'), String(error)).toBe(true);
        expect(String(error)).toContain(s3Name);
        expect(received).toBeLessThan(body.length);
      }
      await c.close();
    }
  });
});

describe.each(s3Servers().map((s) => [s.name, s] as const))('crc32c and crc64nvme on %s', (_name, server) => {
  it('upload (buffered, streamed, multipart) and read back; the server does not verify them: learned off', async () => {
    for (const { mode } of MODES) {
      const { client: c } = await freshClient(server, `ck-${mode}`, { checksum: mode, signPayload: false });
      const small = randomBytes(1000);
      const big = randomBytes(11 * MiB + 7);
      await c.putObject('small', small);
      expect(c.checksumsVerified).toBe(false);
      await c.putObject('streamed', chunks(small), { size: small.length });
      await c.putObject('big', chunks(big));
      expect(await readAll((await c.getObject('small')).body)).toEqual(small);
      expect(await readAll((await c.getObject('streamed')).body)).toEqual(small);
      expect(sha256(await readAll((await c.getObject('big')).body))).toBe(sha256(big));
      await c.close();
    }
  });
});

describe('forced on fauxqs (serverVerifiesChecksums: true): what AWS gets, read back with the SDK', () => {
  it.each(MODES)('$mode: declared multipart, per-part digests, trailer-streamed PUT', async ({ mode }) => {
    const server = s3Server('fauxqs');
    const { client: c, bucket } = await freshClient(server, `forced-${mode}`, {
      checksum: mode,
      serverVerifiesChecksums: true,
    });
    const big = randomBytes(11 * MiB + 3);
    const streamed = randomBytes(3 * MiB + 1);
    await c.putObject('big', chunks(big));
    await c.putObject('streamed', chunks(streamed), { size: streamed.length });
    for (const [key, data] of [
      ['big', big],
      ['streamed', streamed],
    ] as const) {
      const read = await sdkClient(server).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const back = await (read.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      expect(sha256(back), key).toBe(sha256(data));
    }
    await c.close();
  });
});
