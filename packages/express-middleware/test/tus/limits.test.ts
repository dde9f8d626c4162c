// Limits on resumable uploads: lengths reserved against the store's total and the visitor's total before any byte,
// released by termination and by expiry, published uploads counted by the store, PATCH bytes counted as bandwidth.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStore, type StoreOptions } from '@att/store-core';
import { createMemoryBackend } from '@att/store-core/testing';
import express from 'express';
import { afterEach, expect, it } from 'vitest';
import { type AttachmentsOptions, attachments } from '../../src/index.js';

const MiB = 1024 * 1024;
const TUS = { 'Tus-Resumable': '1.0.0' };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function start(options: Partial<AttachmentsOptions>, storeOptions: Partial<StoreOptions> = {}) {
  const store = createStore({ backend: createMemoryBackend(), ...storeOptions });
  const app = express();
  app.use('/files', attachments({ store, resumable: true, rateLimit: false, ...options }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`;
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const create = async (length: number) => {
    const res = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': String(length) },
    });
    const location = res.headers.get('location');
    return {
      status: res.status,
      body: res.status >= 400 ? await res.json() : undefined,
      url: location && new URL(location, base).href,
    };
  };
  const patch = (url: string, offset: number, body: Uint8Array) =>
    fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      body,
    });
  return { store, base, create, patch };
}

/**
 * A PATCH on a connection of its own (no pool). The server answers a PATCH it cuts off, then reads a bounded rest
 * and closes that connection; on a pooled one, the close can race fetch's next request onto the dying socket.
 */
function patchOnOwnConnection(url: string, offset: number, body: Uint8Array) {
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = http.request(url, {
      method: 'PATCH',
      agent: false,
      headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
      res.on('error', reject);
    });
    // The server may close while the body is still being written: expected once it has answered (then a no-op).
    req.on('error', reject);
    req.end(body);
  });
}

it('lengths are reserved against the store total before any byte; termination gives them back at once', async () => {
  const s = await start({ visitorTotalSizeLimit: false }, { totalSizeLimit: 10 * MiB });
  const first = await s.create(6 * MiB);
  expect(first.status, 'first creation').toBe(201);
  const second = await s.create(6 * MiB);
  expect(second.status, 'a creation the reservations cannot fit').toBe(507);
  expect(second.body.error.code).toBe('QUOTA_EXCEEDED');
  const terminated = await fetch(first.url as string, { method: 'DELETE', headers: TUS });
  expect(terminated.status, 'termination').toBe(204);
  expect((await s.create(6 * MiB)).status, 'a creation after the termination freed the space').toBe(201);
});

it('a published upload is counted by the store exactly once and its reservation is gone', async () => {
  const s = await start({ visitorTotalSizeLimit: false }, { totalSizeLimit: 10 * MiB });
  const data = randomBytes(3 * MiB + 7);
  const { url } = await s.create(data.length);
  expect((await s.patch(url as string, 0, data.subarray(0, MiB))).status).toBe(204);
  expect((await s.patch(url as string, MiB, data.subarray(MiB))).status).toBe(204);
  const usage = await s.store.usage();
  expect(usage.bytes, 'stored bytes after the upload was published').toBe(data.length);
  expect(usage.reserved, 'a reservation outlived the published upload').toBe(0);
  expect((await s.create(10 * MiB - data.length)).status, 'the rest of the store is free').toBe(201);
});

it("an Upload-Length over the visitor's total is refused before any byte", async () => {
  const s = await start({ visitorTotalSizeLimit: MiB });
  const refused = await s.create(2 * MiB);
  expect(refused.status, 'creation over the visitor total').toBe(413);
  expect(refused.body.error.code).toBe('TOO_LARGE');
  expect((await s.create(MiB)).status, 'creation within the visitor total').toBe(201);
});

it('PATCH bytes count against the visitor bandwidth', async () => {
  const s = await start({ visitorTotalSizeLimit: false, visitorDailyBandwidth: 3 * MiB });
  const data = randomBytes(2 * MiB);
  const { url } = await s.create(data.length);
  expect((await s.patch(url as string, 0, data)).status).toBe(204);
  const id = (url as string).split('/').pop();
  // 2 MiB uploaded + 2 MiB to download > 3 MiB: the download is refused only if the PATCH bytes were counted.
  const download = await fetch(`${s.base}/${id}`);
  expect(download.status, 'a download over the bandwidth left after the PATCH').toBe(429);
});

it("an expired upload's reservation lapses with it and cleanup() removes the upload", async () => {
  const s = await start({ visitorTotalSizeLimit: false }, { totalSizeLimit: 10 * MiB, staleUploadAge: 40 });
  const first = await s.create(6 * MiB);
  expect(first.status).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 80));
  expect((await s.create(6 * MiB)).status, 'the stalled upload still holds its bytes').toBe(201);
  const result = await s.store.cleanup();
  expect(result.incomplete, 'cleanup() removed no stalled upload').toBeGreaterThanOrEqual(1);
  const head = await fetch(first.url as string, { method: 'HEAD', headers: TUS });
  expect(head.status, 'HEAD of the removed upload').toBe(404);
});

it('a PATCH running past the bandwidth left is cut off while it streams, not stored whole and refused after', async () => {
  const s = await start({ visitorTotalSizeLimit: false, visitorDailyBandwidth: 3 * MiB });
  const data = randomBytes(8 * MiB);
  const { url } = await s.create(data.length);
  const res = await patchOnOwnConnection(url as string, 0, data);
  expect(res.status, 'a PATCH over the bandwidth left').toBe(429);
  expect((res.json as { error?: { code?: string } }).error?.code).toBe('RATE_LIMITED');
  const head = await fetch(url as string, { method: 'HEAD', headers: TUS });
  const offset = Number(head.headers.get('upload-offset'));
  expect(offset, 'bytes stored past the bandwidth left').toBeLessThanOrEqual(3 * MiB);
  expect(offset, 'the bytes within the bandwidth were kept for a resume').toBeGreaterThan(0);
  const next = await s.patch(url as string, offset, data.subarray(offset, offset + 1));
  expect(next.status, 'the next PATCH once the bandwidth is spent').toBe(429);
  const after = await fetch(url as string, { method: 'HEAD', headers: TUS });
  expect(Number(after.headers.get('upload-offset')), 'a refused PATCH stored a byte').toBe(offset);
});

it('every tus request counts against the rate limit: HEAD and PATCH included', async () => {
  const s = await start({ visitorTotalSizeLimit: false, rateLimit: { burst: 3, refillMs: 60_000 } });
  const { status, url } = await s.create(10);
  expect(status, 'creation (1st request)').toBe(201);
  expect((await fetch(url as string, { method: 'HEAD', headers: TUS })).status, 'HEAD (2nd)').toBe(200);
  expect((await s.patch(url as string, 0, new Uint8Array(5))).status, 'PATCH (3rd)').toBe(204);
  const limited = await s.patch(url as string, 5, new Uint8Array(5));
  expect(limited.status, 'PATCH over the rate limit').toBe(429);
  expect((await limited.json()).error?.code).toBe('RATE_LIMITED');
  expect(limited.headers.get('retry-after'), 'Retry-After').toMatch(/^\d+$/);
});
