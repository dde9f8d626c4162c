// Our client pointed at a test server, plus byte helpers. Buckets come from the infra helpers (created with the
// AWS SDK, not with the code under test).
import { createHash, randomBytes } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '../../src/index.js';
import { createTestBucket, type S3TestServer } from '../support/servers.js';

export const MiB = 1024 * 1024;

export function clientFor(server: S3TestServer, bucket: string, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    partSize: 5 * MiB,
    queueSize: 4,
    ...extra,
  });
}

/** A client for a fake endpoint on loopback (fake-endpoint.ts): fixed keys, one attempt, 5 MiB parts. */
export function fakeS3Client(endpoint: string, extra: Partial<S3ClientConfig> = {}): S3Client {
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

/** A fresh bucket on `server` and a client for it (path-style). */
export async function freshClient(server: S3TestServer, hint: string, extra: Partial<S3ClientConfig> = {}) {
  const bucket = await createTestBucket(server, hint);
  return { bucket, client: clientFor(server, bucket, extra) };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Yields `data` in odd-sized chunks so part-boundary bugs show. */
export async function* chunks(data: Uint8Array, size = 65_537): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export { randomBytes };
