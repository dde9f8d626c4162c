// Helpers for tests: the servers started by the globalSetup, fresh buckets, and an independent AWS SDK client.
// The SDK (not our client) creates buckets and checks results, so a bug in our code cannot hide itself.
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client as SdkS3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createSdkClient } from './sdk-client.mjs';
import type { S3TestServer } from './server-types.js';

export { type RawS3Request, type RawS3Response, rawS3 } from './raw-s3.js';
export type { S3Capabilities, S3TestServer } from './server-types.js';

/** Every server the globalSetup started (Swift first: it is the default and the strict one). */
export function s3Servers(): S3TestServer[] {
  const servers = inject('s3Servers');
  if (!servers?.length) throw new Error('no S3 test servers provided: is test/setup/global-setup.ts wired in?');
  return servers;
}

export function s3Server(name: 'swift' | 'fauxqs'): S3TestServer {
  const server = s3Servers().find((s) => s.name === name);
  if (!server) throw new Error(`S3 test server "${name}" was not started`);
  return server;
}

const sdkClients = new Map<string, SdkS3Client>();

/** A cached, path-style AWS SDK client for `server` (maxAttempts 1: checks should see the first answer). */
export function sdkClient(server: S3TestServer): SdkS3Client {
  // Keyed by the credentials too: tests pass a copy with a wrong secret to see a rejection.
  const key = JSON.stringify([server.endpoint, server.region, server.accessKeyId, server.secretAccessKey]);
  let client = sdkClients.get(key);
  if (!client) {
    client = createSdkClient(server, { maxAttempts: 1 });
    sdkClients.set(key, client);
  }
  return client;
}

/** A fresh bucket name: lowercase, DNS-safe, ≤ 63 chars, unique per call; `hint` says which test made it. */
export function uniqueBucketName(hint = 'test'): string {
  const cleaned = hint
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  return `att-${cleaned || 'test'}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Creates a fresh, empty bucket on `server` and returns its name. */
export async function createTestBucket(server: S3TestServer, hint?: string): Promise<string> {
  const bucket = uniqueBucketName(hint);
  await sdkClient(server).send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Keys under `prefix` (all of them, paging through ListObjectsV2; bounded at 100 pages). */
export async function listAllKeys(server: S3TestServer, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await sdkClient(server).send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of out.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    if (!out.IsTruncated || !out.NextContinuationToken) return keys;
    token = out.NextContinuationToken;
  }
  throw new Error(`listAllKeys: more than 100 pages in ${bucket}`);
}

/** Pending multipart uploads under `prefix` as { key, uploadId } (always [] on fauxqs: check capabilities). */
export async function listPendingUploads(
  server: S3TestServer,
  bucket: string,
  prefix?: string,
): Promise<{ key: string; uploadId: string }[]> {
  const out = await sdkClient(server).send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (out.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '' }));
}

/** Empties (objects and pending uploads) and deletes a test bucket; for afterAll. */
export async function deleteTestBucket(server: S3TestServer, bucket: string): Promise<void> {
  const client = sdkClient(server);
  for (let round = 0; round < 100; round++) {
    const keys = await listAllKeys(server, bucket);
    if (keys.length === 0) break;
    for (let i = 0; i < keys.length; i += 1000) {
      // sdkClient adds the Content-MD5 Swift insists on.
      await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }
  if (server.capabilities.listsMultipartUploads) {
    for (const u of await listPendingUploads(server, bucket)) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
    }
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
