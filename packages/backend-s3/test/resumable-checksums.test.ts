// Checksums and object headers of tus uploads on S3, as the server received them: fauxqs behind a logging proxy,
// with `serverVerifiesChecksums: true` (fauxqs itself ignores checksums and keeps no Content-Disposition, so the
// requests are what can be checked). The real tus-js-client starts an upload on one instance and finishes it on a
// second one (another client and backend on the same bucket): the multipart upload is declared with the client's
// algorithm (CRC32, the default, and CRC64NVME) and FULL_OBJECT where it is created, every part carries the digest
// of its bytes whichever instance sends it, and the completion the whole file's, combined from the parts' digests
// kept in the upload's state. Expected digests come from zlib and the AWS SDK's CRC64NVME.
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { createMemoryLease } from '@att/store-core';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, expectSame, startServer, upload } from '../../express-middleware/test/tus/harness.js';
import { s3Backend } from '../src/index.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server } from './support/servers.js';

const MiB = 1024 * 1024;
const server = s3Server('fauxqs');

let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'resumable-checksums');
  proxy = await startFaultProxy(server.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

/** Digests from independent implementations: zlib's CRC32, the AWS SDK's CRC64NVME. */
const DIGESTS = {
  crc32: async (bytes: Uint8Array) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(zlib.crc32(bytes));
    return out.toString('base64');
  },
  crc64nvme: async (bytes: Uint8Array) => {
    const hash = new Crc64Nvme();
    hash.update(bytes);
    return Buffer.from(await hash.digest()).toString('base64');
  },
} as const;
type Mode = keyof typeof DIGESTS;
const crc32 = DIGESTS.crc32;

function backend(serverVerifiesChecksums: boolean | undefined, checksum: Mode = 'crc32') {
  return s3Backend({
    endpoint: proxy.endpoint,
    region: server.region,
    bucket,
    prefix: 'sums',
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    partSize: 5 * MiB,
    checksum,
    ...(serverVerifiesChecksums === undefined ? {} : { serverVerifiesChecksums }),
  });
}

describe('tus uploads on S3: checksums and headers on the requests that build the object', () => {
  it.each(Object.keys(DIGESTS) as Mode[])(
    '%s: a digest per part across PATCHes and instances, the combined digest on completion, headers at creation',
    {
      timeout: 180_000,
    },
    async (mode) => {
      const digest = DIGESTS[mode];
      const header = `x-amz-checksum-${mode}`;
      // Instance b learns (and learns that fauxqs ignores checksums): the upload's own declaration still rules.
      // One lease for both, as a fleet shares one (state.lease): b's PATCH waits (423, retried) until a's cut append
      // has settled, instead of racing it.
      const lease = createMemoryLease();
      const a = await startServer(backend(true, mode), { resumable: { lease } });
      const b = await startServer(backend(undefined, mode), { resumable: { lease } });
      try {
        const data = randomBytes(13 * MiB + 5);
        const first = await upload(data, {
          endpoint: a.endpoint,
          chunkSize: 4 * MiB,
          abortAfter: 6 * MiB,
          metadata: { filename: 'Kontoauszug März.txt', filetype: 'text/plain' },
        });
        const id = first.url.split('/').pop() as string;
        const resumed = await upload(data, {
          endpoint: b.endpoint,
          uploadUrl: first.url.replace(a.endpoint, b.endpoint),
          chunkSize: 4 * MiB,
        });
        expect(
          Number(resumed.requests.find((r) => r.method === 'PATCH')?.offset),
          'b resumed mid-upload',
        ).toBeGreaterThan(0);
        expectSame(await download(b, resumed.url), data, 'the upload finished on b');
        const served = await fetch(`${b.base}/${id}`, { method: 'HEAD' });

        const ofObject = proxy.requests.filter((r) => r.path === `/${bucket}/sums/${id}`);
        const creates = ofObject.filter((r) => r.method === 'POST' && 'uploads' in r.query);
        expect(creates.length, 'one multipart upload').toBe(1);
        const create = creates[0]?.headers ?? {};
        expect({
          algorithm: create['x-amz-checksum-algorithm'],
          type: create['x-amz-checksum-type'],
          contentType: create['content-type'],
          contentDisposition: create['content-disposition'],
        }).toEqual({
          algorithm: mode.toUpperCase(),
          type: 'FULL_OBJECT',
          contentType: 'text/plain',
          contentDisposition: served.headers.get('content-disposition'),
        });

        const parts = ofObject
          .filter((r) => r.method === 'PUT' && r.query.partNumber !== undefined)
          .sort((x, y) => Number(x.query.partNumber) - Number(y.query.partNumber));
        expect(parts.map((p) => p.query.partNumber)).toEqual(['1', '2', '3']);
        let at = 0;
        for (const part of parts) {
          const size = Number(part.headers['content-length']);
          expect(part.headers[header], `part ${part.query.partNumber}`).toBe(
            await digest(data.subarray(at, at + size)),
          );
          at += size;
        }
        expect(at, 'the parts hold the whole file').toBe(data.length);

        const completes = ofObject.filter((r) => r.method === 'POST' && r.query.uploadId !== undefined);
        expect(completes.length).toBe(1);
        expect(completes[0]?.headers[header], 'the whole file, combined from the parts').toBe(await digest(data));
        expect(completes[0]?.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
        // fauxqs did not confirm the declaration (no echo), so the completion does not list the parts' CRCs, which
        // fauxqs cannot parse (it would publish an empty object): the download above shows it read every part.
      } finally {
        await a.close();
        await b.close();
      }
    },
  );

  it('an upload small enough for one PUT carries its CRC32 and headers on that PUT', { timeout: 60_000 }, async () => {
    const s = await startServer(backend(true));
    try {
      const data = randomBytes(300 * 1024);
      const sent = await upload(data, {
        endpoint: s.endpoint,
        chunkSize: 100 * 1024,
        metadata: { filename: 'a.txt', filetype: 'text/plain' },
      });
      const id = sent.url.split('/').pop() as string;
      const served = await fetch(`${s.base}/${id}`, { method: 'HEAD' });
      const puts = proxy.requests.filter((r) => r.method === 'PUT' && r.path === `/${bucket}/sums/${id}`);
      expect(puts.length).toBe(1);
      expect({
        crc: puts[0]?.headers['x-amz-checksum-crc32'],
        contentType: puts[0]?.headers['content-type'],
        contentDisposition: puts[0]?.headers['content-disposition'],
      }).toEqual({
        crc: await crc32(data),
        contentType: 'text/plain',
        contentDisposition: served.headers.get('content-disposition'),
      });
    } finally {
      await s.close();
    }
  });
});
