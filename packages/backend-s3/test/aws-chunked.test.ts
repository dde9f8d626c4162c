// Streamed single PUTs with a trailing checksum (src/aws-chunked.ts): the encoding byte for byte as the AWS SDK
// writes it (the SDK sends the same STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies by default), only where the server
// verifies checksums, decoded end to end by fauxqs and read back with the SDK; Swift (501 on aws-chunked) never
// gets it.

import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { isAttError } from '@att/store-core';
import { GetObjectCommand, PutObjectCommand, S3Client as SdkS3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { awsChunkedBody, awsChunkedLength, FRAME_SIZE } from '../src/aws-chunked.js';
import { CHECKSUM_ALGORITHMS } from '../src/checksum-algorithms.js';
import { S3Client } from '../src/index.js';
import { chunks, clientFor, MiB, randomBytes, readAll, sha256 } from './helpers/clients.js';
import { type RecordedRequest, useFakeEndpoints } from './support/fake-endpoint.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server, sdkClient } from './support/servers.js';

const fake = useFakeEndpoints();

const isPut = (r: { method: string; query: Record<string, string> }) =>
  r.method === 'PUT' && !('partNumber' in r.query);

describe('the encoding', () => {
  it.each([
    ['CRC32', 'crc32'],
    ['CRC32C', 'crc32c'],
    ['CRC64NVME', 'crc64nvme'],
  ] as const)('is byte for byte the AWS SDK’s STREAMING-UNSIGNED-PAYLOAD-TRAILER body (%s)', async (sdkName, name) => {
    const algorithm = CHECKSUM_ALGORITHMS[name];
    const f = await fake(() => ({ headers: { etag: '"x"' } }));
    const sdk = new SdkS3Client({
      endpoint: f.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    for (const size of [1, FRAME_SIZE, FRAME_SIZE + 1, 3 * FRAME_SIZE + 4321]) {
      const data = randomBytes(size);
      // The SDK frames each piece its source yields: give it ours (FRAME_SIZE), and ours odd pieces.
      const frames = Array.from({ length: Math.ceil(size / FRAME_SIZE) }, (_, i) =>
        data.subarray(i * FRAME_SIZE, (i + 1) * FRAME_SIZE),
      );
      await sdk.send(
        new PutObjectCommand({
          Bucket: 'b',
          Key: 'k',
          Body: Readable.from(frames),
          ContentLength: size,
          ChecksumAlgorithm: sdkName,
        }),
      );
      const request = f.requests.at(-1) as RecordedRequest;
      expect(request.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      const ours = await readAll(awsChunkedBody(chunks(data, 9_999), size, algorithm));
      expect(ours.equals(request.raw), `${size} bytes: ours ${ours.length}, SDK ${request.raw.length}`).toBe(true);
      expect(awsChunkedLength(size, algorithm)).toBe(ours.length);
    }
    sdk.destroy();
  });

  it('refuses a source shorter or longer than its declared size', async () => {
    const crc32 = CHECKSUM_ALGORITHMS.crc32;
    for (const [declared, actual] of [
      [10, 9],
      [10, 11],
      [FRAME_SIZE, FRAME_SIZE + 1],
    ] as const) {
      const err = await readAll(awsChunkedBody(chunks(Buffer.alloc(actual), 7), declared, crc32)).catch((e) => e);
      expect(isAttError(err, 'SIZE_MISMATCH'), `${actual} of ${declared}: ${err}`).toBe(true);
    }
  });
});

describe('when it is sent', () => {
  it('after a server echoed a CRC (verifies checksums): a streamed PUT carries its CRC32 as a trailer', async () => {
    const f = await fake((req) =>
      req.method === 'PUT'
        ? {
            headers: {
              etag: '"x"',
              ...(typeof req.headers['x-amz-checksum-crc32'] === 'string'
                ? { 'x-amz-checksum-crc32': req.headers['x-amz-checksum-crc32'] }
                : {}),
            },
          }
        : { status: 400 },
    );
    const client = new S3Client({
      endpoint: f.url,
      bucket: 'b',
      region: 'us-east-1',
      accessKeyId: 'AK',
      secretAccessKey: 'secret',
      maxAttempts: 1,
    });
    const data = randomBytes(200_000);
    await client.putObject('first', chunks(data), { size: data.length });
    expect(f.requests[0]?.headers['content-encoding'], 'not before the server showed it verifies').toBeUndefined();
    await client.putObject('buffered', 'hello');
    expect(client.checksumsVerified).toBe(true);
    await client.putObject('streamed', chunks(data), { size: data.length });
    const streamed = f.requests.at(-1) as RecordedRequest;
    expect(streamed.headers).toMatchObject({
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'content-length': String(streamed.raw.length),
    });
    expect(String(streamed.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-amz-trailer/);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(data));
    expect(
      streamed.raw.toString('latin1').endsWith(`0\r\nx-amz-checksum-crc32:${crc.toString('base64')}\r\n\r\n`),
    ).toBe(true);
    await client.close();
  });

  it('a server that checks the trailer refuses a corrupted stream before storing it: INTEGRITY_ERROR', async () => {
    // An AWS-like fake: decodes aws-chunked, checks the trailing CRC32 against the bytes, stores only on a match.
    const stored = new Map<string, Buffer>();
    const server = await fake((req) => {
      const text = req.raw.toString('latin1');
      const frames: Buffer[] = [];
      let at = 0;
      for (;;) {
        const eol = text.indexOf('\r\n', at);
        const length = Number.parseInt(text.slice(at, eol), 16);
        if (length === 0) {
          at = eol + 2;
          break;
        }
        frames.push(req.raw.subarray(eol + 2, eol + 2 + length));
        at = eol + 2 + length + 2;
      }
      const body = Buffer.concat(frames);
      const trailer = /^x-amz-checksum-crc32:(\S+)\r\n/.exec(text.slice(at))?.[1];
      if (trailer !== CHECKSUM_ALGORITHMS.crc32.digest(body)) {
        return {
          status: 400,
          body: '<Error><Code>BadDigest</Code><Message>The CRC32 you specified did not match the calculated checksum.</Message></Error>',
        };
      }
      stored.set(req.url, body);
      return { headers: { etag: '"x"' } };
    });
    const proxy = await startFaultProxy(server.url, (r) => (isPut(r) ? { flipByte: 70_000 } : undefined));
    const client = new S3Client({
      endpoint: proxy.endpoint,
      bucket: 'b',
      region: 'us-east-1',
      accessKeyId: 'AK',
      secretAccessKey: 'secret',
      serverVerifiesChecksums: true,
    });
    const data = randomBytes(200_000);
    const err = await client.putObject('bad', chunks(data), { size: data.length }).catch((e) => e);
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    expect(err.details).toMatchObject({ httpStatus: 400, s3Code: 'BadDigest' });
    expect(stored.size, 'nothing stored').toBe(0);
    proxy.setRule(undefined);
    await client.putObject('good', chunks(data), { size: data.length });
    expect(stored.get('/b/good')?.equals(data), 'an intact stream is stored as sent').toBe(true);
    await client.close();
    await proxy.close();
  });

  it('Swift never gets it: learned not to verify, its streamed PUTs go plain and succeed', async () => {
    const server = s3Server('swift');
    const bucket = await createTestBucket(server, 'chunked-swift');
    const proxy = await startFaultProxy(server.endpoint);
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint });
    const data = randomBytes(MiB + 3);
    await client.putObject('streamed-first', chunks(data), { size: data.length });
    await client.putObject('buffered', 'hello');
    expect(client.checksumsVerified).toBe(false);
    await client.putObject('streamed-after', chunks(data), { size: data.length });
    const puts = proxy.requests.filter(isPut);
    expect(puts.map((r) => r.headers['content-encoding'] ?? 'plain')).toEqual(['plain', 'plain', 'plain']);
    expect(puts.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sha256(await readAll((await client.getObject('streamed-after')).body))).toBe(sha256(data));
    await client.close();
    await proxy.close();
  });
});

describe('end to end on fauxqs (decodes aws-chunked), client forced to serverVerifiesChecksums: true', () => {
  const server = s3Server('fauxqs');

  it('a streamed PUT goes aws-chunked and the SDK reads back the exact bytes', async () => {
    const bucket = await createTestBucket(server, 'chunked-fauxqs');
    const proxy = await startFaultProxy(server.endpoint);
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint, serverVerifiesChecksums: true });
    for (const size of [1, FRAME_SIZE, 3 * MiB + 17]) {
      const data = randomBytes(size);
      const info = await client.putObject(`k${size}`, chunks(data, 40_001), { size });
      expect(info.size).toBe(size);
      const put = proxy.requests.filter(isPut).at(-1);
      expect(put?.headers['content-encoding']).toBe('aws-chunked');
      expect(put?.headers['content-length']).toBe(String(awsChunkedLength(size, CHECKSUM_ALGORITHMS.crc32)));
      const read = await sdkClient(server).send(new GetObjectCommand({ Bucket: bucket, Key: `k${size}` }));
      const back = Buffer.from(
        await (read.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      expect(back.length).toBe(size);
      expect(sha256(back), `${size} bytes read back`).toBe(sha256(data));
    }
    await client.close();
    await proxy.close();
  });

  it('a byte inverted in an aws-chunked body still ends in INTEGRITY_ERROR and no object (ETag check)', async () => {
    const bucket = await createTestBucket(server, 'chunked-flip');
    // fauxqs decodes the framing but checks no trailer: the ETag comparison is what catches it here.
    const proxy = await startFaultProxy(server.endpoint, (r) => (isPut(r) ? { flipByte: 100_000 } : undefined));
    const client = clientFor(server, bucket, {
      endpoint: proxy.endpoint,
      serverVerifiesChecksums: true,
      maxAttempts: 1,
    });
    const data = randomBytes(MiB);
    const err = await client.putObject('flipped', chunks(data), { size: data.length }).catch((e) => e);
    expect(isAttError(err, 'INTEGRITY_ERROR'), String(err)).toBe(true);
    proxy.setRule(undefined);
    const gone = await client.headObject('flipped').catch((e) => e);
    expect(isAttError(gone, 'NOT_FOUND'), String(gone)).toBe(true);
    await client.close();
    await proxy.close();
  });
});

describe('a server that demands a checksum (AWS with Object Lock)', () => {
  const DEMAND =
    '<Error><Code>InvalidRequest</Code><Message>Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters</Message></Error>';
  const hasChecksum = (req: RecordedRequest) =>
    req.headers['x-amz-trailer'] !== undefined ||
    Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-crc'));
  const config = (endpoint: string) => ({
    endpoint,
    bucket: 'b',
    region: 'us-east-1',
    accessKeyId: 'AK',
    secretAccessKey: 'secret',
  });

  it('a refused stream (not resendable) fails, and the next streamed PUT carries its CRC as a trailer', async () => {
    const demanding = await fake((req) =>
      hasChecksum(req) ? { headers: { etag: '"x"' } } : { status: 400, body: DEMAND },
    );
    const client = new S3Client(config(demanding.url));
    const data = randomBytes(10_000);
    const first = await client.putObject('s1', chunks(data), { size: data.length }).catch((e) => e);
    expect(isAttError(first, 'BACKEND_ERROR'), String(first)).toBe(true);
    expect(client.checksumsVerified).toBe(true);
    await client.putObject('s2', chunks(data), { size: data.length });
    expect(demanding.requests.at(-1)?.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    await client.close();
  });

  it('a client that had learned "not verified" resends a refused buffer at once with its CRC', async () => {
    let demand = false;
    const f = await fake((req) => {
      if (demand && !hasChecksum(req)) return { status: 400, body: DEMAND };
      // Before the demand it echoes nothing (a client learns "not verified"); then it echoes as AWS does.
      const echo = demand ? req.headers['x-amz-checksum-crc32c'] : undefined;
      return { headers: { etag: '"x"', ...(typeof echo === 'string' ? { 'x-amz-checksum-crc32c': echo } : {}) } };
    });
    const client = new S3Client({ ...config(f.url), checksum: 'crc32c' });
    await client.putObject('taught', 'x');
    expect(client.checksumsVerified).toBe(false);
    demand = true;
    await client.putObject('buffered', 'hello');
    const [refused, resent] = f.requests.slice(-2);
    expect(refused?.headers['x-amz-checksum-crc32c']).toBeUndefined();
    expect(resent?.headers['x-amz-checksum-crc32c']).toBe(CHECKSUM_ALGORITHMS.crc32c.digest(Buffer.from('hello')));
    expect(client.checksumsVerified).toBe(true);
    await client.close();
  });
});
