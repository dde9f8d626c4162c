// What happens around an upload: presigned URLs expire (Swift refuses them), an upload never confirmed gives its
// reservation back when its URL dies and its object is removed by cleanup() as an orphan, and every signing route
// is rate limited and authorized. A backend that cannot presign answers 501.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { createStore } from '@att/store-core';
import { createMemoryBackend } from '@att/store-core/testing';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { attachments } from '../../src/index.js';
import { bytes, confirm, multipart, putTo, signPut, sleep, startHarness } from './harness.js';

describe('direct uploads over time on Swift', () => {
  it('an expired URL is refused by S3, and its reservation is gone with it', async () => {
    const h = await startHarness({ direct: { expiresIn: 1 } });
    try {
      const signed = await signPut(h, 'a.txt', 'text/plain', 100);
      expect(signed.body.url).toContain('X-Amz-Expires=1&');
      expect((await h.store.usage()).reserved).toBe(100);
      await sleep(2_100); // past X-Amz-Date + 1 s, whatever the sub-second phase
      const put = await putTo(signed.body, bytes(100));
      expect(put.status, 'S3 refuses the expired URL').toBe(403);
      expect(await put.text()).toMatch(/expired/i);
      expect((await h.store.usage()).reserved, 'the reservation expired with the URL').toBe(0);
      const visitor = await h.limits.ledger.usage('visitor-total:127.0.0.1');
      expect(visitor.reserved, "and on the visitor's total").toBe(0);
      expect((await confirm(h, signed.body.key)).status, 'the record is gone too').toBe(403);
    } finally {
      await h.close();
    }
  });

  it('a never-confirmed upload is released when its URL expires and cleaned as an orphan', async () => {
    const h = await startHarness({ direct: { expiresIn: 2 } });
    try {
      const kept = bytes(500);
      const confirmed = await signPut(h, 'kept.txt', 'text/plain', kept.length);
      expect((await putTo(confirmed.body, kept)).status).toBe(200);
      expect((await confirm(h, confirmed.body.key)).status).toBe(201);

      const never = await signPut(h, 'never.txt', 'text/plain', 700);
      expect((await putTo(never.body, bytes(700))).status).toBe(200);
      expect(await h.store.usage()).toEqual({ bytes: 500, reserved: 700 });
      await sleep(2_100);
      expect(await h.store.usage(), 'reservation released with the URL').toEqual({ bytes: 500, reserved: 0 });
      expect((await h.bucketKeys()).sort()).toEqual([confirmed.body.id, never.body.id].sort());

      const result = await h.store.cleanup();
      expect(result.orphans, 'the unconfirmed object is an orphan').toBe(1);
      expect(await h.bucketKeys()).toEqual([confirmed.body.id]);
      expect((await h.store.usage()).bytes, 'the store total equals the bucket').toBe(await h.bucketBytes());
      expect(h.store.size).toBe(500);
    } finally {
      await h.close();
    }
  });

  it('every signing route asks authorize (action upload) and takes a rate-limit token', async () => {
    const actions: string[] = [];
    const denied = await startHarness({
      authorize: (_req, ctx) => {
        actions.push(ctx.action);
        return ctx.action !== 'upload';
      },
    });
    try {
      expect((await signPut(denied, 'a', 'text/plain', 1)).status).toBe(403);
      expect((await multipart.create(denied, 'a', 'text/plain', 1)).status).toBe(403);
      expect((await multipart.sign(denied, 'AAAAAAAAAAAAAAAAAAAAAA', 'x', 1)).status).toBe(403);
      expect((await confirm(denied, 'AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(403);
      expect(actions).toEqual(['upload', 'upload', 'upload', 'upload']);
      expect((await denied.store.usage()).reserved).toBe(0);
    } finally {
      await denied.close();
    }
    const limited = await startHarness({ rateLimit: { burst: 2, refillMs: 3_600_000 } });
    try {
      expect((await signPut(limited, 'a', 'text/plain', 1)).status).toBe(200);
      expect((await multipart.create(limited, 'a', 'text/plain', 1)).status).toBe(200);
      const third = await signPut(limited, 'a', 'text/plain', 1);
      expect(third.status).toBe(429);
      expect(third.body.error?.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

const fsDirs: string[] = [];
afterAll(() => {
  for (const dir of fsDirs) rmSync(dir, { recursive: true, force: true });
});

function tempFsBackend() {
  const dir = mkdtempSync(join(tmpdir(), 'att-direct-fs-'));
  fsDirs.push(dir);
  return fsBackend({ dir });
}

describe.each([
  ['memory', () => createMemoryBackend()],
  ['fs', tempFsBackend],
])('direct uploads on a backend that cannot presign (%s)', (_name, makeBackend) => {
  it('answer 501 with a JSON error on every route; directDownloads is a startup error', async () => {
    const backend = makeBackend();
    const store = createStore({ backend });
    expect(() => attachments({ store, directDownloads: true })).toThrow(/directDownloads/);
    const app = express();
    app.use('/attachments', attachments({ store, direct: true }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}/attachments/s3`;
      const calls: [string, string][] = [
        ['GET', '/config'],
        ['GET', '/params?filename=a&metadata[size]=1'],
        ['POST', '/multipart'],
        ['POST', '/confirm/some-key'],
        ['GET', '/multipart/u1/1?key=k'],
        ['GET', '/multipart/u1?key=k'],
        ['POST', '/multipart/u1/complete?key=k'],
        ['DELETE', '/multipart/u1?key=k'],
      ];
      for (const [method, path] of calls) {
        const res = await fetch(`${base}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(res.status, `${method} ${path}`).toBe(501);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = await res.json();
        expect(body.error.code).toBe('NOT_IMPLEMENTED');
        expect(body.error.message).toMatch(/presign/);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    }
  });
});
