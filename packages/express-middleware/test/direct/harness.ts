// A running app with `attachments({ direct })` on a fresh Swift bucket, and the browser's side of the protocol
// (plain fetch, as Uppy's XHRs would send it). Buckets are created with a request signed here, not by the code
// under test.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type S3Backend, s3Backend } from '@att/backend-s3';
import { signRequest } from '@att/s3-sigv4';
import {
  createMemoryLimiterStore,
  createStore,
  type LimiterStore,
  type Store,
  type StoreOptions,
} from '@att/store-core';
import express from 'express';
import { inject } from 'vitest';
import { type AttachmentsOptions, attachments } from '../../src/index.js';

export const MiB = 1024 * 1024;

export interface Harness {
  base: string;
  bucket: string;
  store: Store;
  backend: S3Backend;
  limits: LimiterStore;
  /** Ids the app was told about through `onStored`: what its `isReferenced` answers. */
  stored: Set<string>;
  /** Bytes in the bucket, object by object (the truth `store.size` must equal). */
  bucketBytes(): Promise<number>;
  bucketKeys(): Promise<string[]>;
  close(): Promise<void>;
}

async function createBucket(): Promise<string> {
  const swift = inject('directSwift');
  const bucket = `direct-${randomUUID().slice(0, 8)}`;
  const url = `${swift.endpoint}/${bucket}`;
  const { headers } = signRequest({ method: 'PUT', url }, { ...swift, service: 's3', signedPayload: false });
  const res = await fetch(url, { method: 'PUT', headers });
  if (res.status !== 200) throw new Error(`create bucket: ${res.status} ${await res.text()}`);
  return bucket;
}

/** `bucket`: another harness's (several instances of one app on one bucket); default a fresh one. */
export async function startHarness(
  options: Partial<AttachmentsOptions> = {},
  storeOptions: Partial<StoreOptions> = {},
  bucket?: string,
): Promise<Harness> {
  const swift = inject('directSwift');
  bucket ??= await createBucket();
  const backend = s3Backend({ ...swift, bucket, prefix: 'att', forcePathStyle: true });
  const stored = new Set<string>();
  const store = createStore({
    backend,
    isReferenced: async (ids) => ids.filter((id) => stored.has(id)),
    orphanGracePeriod: 0,
    ...storeOptions,
  });
  const limits = options.limits ?? createMemoryLimiterStore();
  const app = express();
  app.use(
    '/attachments',
    attachments({
      store,
      direct: true,
      limits,
      rateLimit: false,
      onStored: (a) => {
        stored.add(a.id);
      },
      ...options,
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const list = async () => {
    const infos = [];
    for await (const info of backend.list()) infos.push(info);
    return infos;
  };
  return {
    base: `http://127.0.0.1:${port}/attachments`,
    bucket,
    store,
    backend,
    limits,
    stored,
    bucketBytes: async () => (await list()).reduce((sum, info) => sum + info.size, 0),
    bucketKeys: async () => (await list()).map((info) => info.key).sort(),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await backend.close();
    },
  };
}

export function bytes(size: number): Buffer {
  return randomBytes(size);
}

export async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

export interface Signed {
  status: number;
  body: {
    method: string;
    url: string;
    headers: Record<string, string>;
    fields: Record<string, string>;
    key: string;
    id: string;
    expires: number;
    error?: { code: string };
  };
}

/** Uppy's getUploadParameters: `GET /s3/params?filename=&type=&metadata[size]=` (size omitted when undefined). */
export async function signPut(h: Harness, name: string, type: string, size: number | undefined): Promise<Signed> {
  const query = new URLSearchParams({ filename: name, type, 'metadata[name]': name });
  if (size !== undefined) query.set('metadata[size]', String(size));
  const res = await fetch(`${h.base}/s3/params?${query}`);
  return { status: res.status, body: await res.json() };
}

/** The browser's PUT to the bucket with the signed headers (plus any given), answering S3's status. */
export async function putTo(
  signed: { url: string; headers: Record<string, string> },
  body: Uint8Array,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(signed.url, { method: 'PUT', headers: { ...signed.headers, ...extra }, body });
}

export async function confirm(h: Harness, id: string): Promise<Response> {
  return fetch(`${h.base}/s3/confirm/${encodeURIComponent(id)}`, { method: 'POST' });
}

export async function download(h: Harness, id: string): Promise<Buffer> {
  const res = await fetch(`${h.base}/${id}`);
  if (res.status !== 200) throw new Error(`download ${id}: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Uppy's multipart calls, in order. */
export const multipart = {
  async create(h: Harness, name: string, type: string, size: number | undefined) {
    const res = await fetch(`${h.base}/s3/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: name, type, metadata: size === undefined ? { name } : { name, size } }),
    });
    return { status: res.status, body: await res.json() };
  },
  async sign(h: Harness, key: string, uploadId: string, partNumber: number) {
    const res = await fetch(
      `${h.base}/s3/multipart/${encodeURIComponent(uploadId)}/${partNumber}?key=${encodeURIComponent(key)}`,
    );
    return { status: res.status, body: await res.json() };
  },
  async complete(h: Harness, key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[]) {
    const res = await fetch(
      `${h.base}/s3/multipart/${encodeURIComponent(uploadId)}/complete?key=${encodeURIComponent(key)}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parts }) },
    );
    return { status: res.status, body: await res.json() };
  },
  async list(h: Harness, key: string, uploadId: string) {
    const res = await fetch(`${h.base}/s3/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`);
    return { status: res.status, body: await res.json() };
  },
  async abort(h: Harness, key: string, uploadId: string) {
    const res = await fetch(`${h.base}/s3/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`, {
      method: 'DELETE',
    });
    return { status: res.status, body: await res.json() };
  },
};

/** Uploads `data` in parts of `partSize` through the signing API; answers each part's ETag. */
export async function uploadParts(h: Harness, key: string, uploadId: string, data: Uint8Array, partSize: number) {
  const parts: { PartNumber: number; ETag: string }[] = [];
  for (let n = 1, offset = 0; offset < data.length; n++, offset += partSize) {
    const signed = await multipart.sign(h, key, uploadId, n);
    if (signed.status !== 200) throw new Error(`sign part ${n}: ${signed.status} ${JSON.stringify(signed.body)}`);
    const res = await putTo(signed.body, data.subarray(offset, offset + partSize));
    if (res.status !== 200) throw new Error(`part ${n}: ${res.status} ${await res.text()}`);
    parts.push({ PartNumber: n, ETag: res.headers.get('etag') ?? '' });
  }
  return parts;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
