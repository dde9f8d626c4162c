import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { attachments } from '@att/express-middleware';
import { createStore, type Store } from '@att/store-core';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS } from '../src/index.js';
import { bodyOf, startTelemetry, type Telemetry, until } from './support.js';

const KiB = 1024;
let telemetry: Telemetry | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await telemetry?.close();
  telemetry = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'att-otel-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(store: Store): Promise<string> {
  const app = express();
  app.use('/attachments', attachments({ store, rateLimit: false }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/attachments`;
}

describe('metrics from a real run (fs store behind the middleware)', () => {
  it('count uploads by outcome code, downloads, HTTP bytes and durations, and read the gauges', async () => {
    const store = createStore({
      backend: fsBackend({ dir: await tempDir() }),
      fileSizeLimit: 64 * KiB,
      totalSizeLimit: 100 * KiB,
    });
    cleanups.push(() => store.close());
    telemetry = startTelemetry({ stores: { files: store } });
    const base = await serve(store);

    const ids: string[] = [];
    for (const size of [10 * KiB, 20 * KiB]) {
      const up = await fetch(`${base}/`, { method: 'POST', body: new Uint8Array(size) });
      expect(up.status, 'upload stored').toBe(201);
      ids.push(((await up.json()) as { id: string }).id);
    }
    const tooLarge = await fetch(`${base}/`, { method: 'POST', body: new Uint8Array(65 * KiB) });
    expect(tooLarge.status).toBe(413);
    await tooLarge.arrayBuffer();
    const down = await fetch(`${base}/${ids[0]}`);
    expect((await down.arrayBuffer()).byteLength).toBe(10 * KiB);
    const missing = await fetch(`${base}/not-there`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();

    const t = telemetry;
    await until(async () => (await t.points(METRICS.httpServerDuration)).length >= 3, 'five requests recorded');
    const files = { 'att.store': 'files' };
    expect(await t.value(METRICS.uploads, { ...files, 'att.outcome': 'stored' }), 'two stored').toBe(2);
    expect(await t.value(METRICS.uploads, { ...files, 'att.outcome': 'TOO_LARGE' }), 'one too large').toBe(1);
    expect((await t.histogram(METRICS.uploadDuration, { 'att.outcome': 'stored' }))?.count).toBe(2);
    expect(await t.value(METRICS.downloads, { 'att.outcome': 'ok' })).toBe(1);
    expect(await t.value(METRICS.downloads, { 'att.outcome': 'NOT_FOUND' })).toBe(1);
    await until(
      async () =>
        ((await t.histogram(METRICS.httpServerDuration, { 'att.route': 'download', 'http.response.status_code': 404 }))
          ?.count ?? 0) === 1,
      'the 404 recorded',
    );
    const uploads201 = await t.histogram(METRICS.httpServerDuration, {
      'att.route': 'upload',
      'http.request.method': 'POST',
      'http.response.status_code': 201,
    });
    expect(uploads201?.count, 'two 201 uploads').toBe(2);
    const received = await t.value(METRICS.httpIo, { 'att.route': 'upload', 'network.io.direction': 'receive' });
    expect(received, 'the two stored bodies and the refused one read').toBeGreaterThanOrEqual(30 * KiB);
    const sent = await t.value(METRICS.httpIo, { 'att.route': 'download', 'network.io.direction': 'transmit' });
    expect(sent, 'the download body and headers').toBeGreaterThan(10 * KiB);

    expect(await t.value(METRICS.storeSize, files), 'gauge: bytes stored').toBe(30 * KiB);
    expect(await t.value(METRICS.storeRemaining, files)).toBe(70 * KiB);
    expect(await t.value(METRICS.uploadsActive, files), 'no write in flight').toBe(0);
  });

  it('count quota refusals and a write in flight', async () => {
    const store = createStore({ backend: fsBackend({ dir: await tempDir() }), totalSizeLimit: 8 * KiB });
    cleanups.push(() => store.close());
    telemetry = startTelemetry({ stores: [store] });
    await store.write('a', bodyOf(6 * KiB));
    await expect(store.write('b', bodyOf(4 * KiB), { size: 4 * KiB })).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    const pending = await store.prepareWrite('c', { size: 1 * KiB });
    expect(await telemetry.value(METRICS.uploadsActive), 'one prepared write').toBe(1);
    await pending.cancel();
    expect(await telemetry.value(METRICS.uploadsActive)).toBe(0);
    expect(await telemetry.value(METRICS.uploads, { 'att.outcome': 'stored' })).toBe(1);
    expect(await telemetry.value(METRICS.uploads, { 'att.outcome': 'QUOTA_EXCEEDED' })).toBe(1);
    const points = await telemetry.points(METRICS.uploads);
    expect(
      points.every((p) => !('att.store' in p.attributes)),
      'an unnamed store adds no attribute',
    ).toBe(true);
  });

  it('count cleanup deletions, freed bytes and passes', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = createStore({ backend: fsBackend({ dir: await tempDir() }), expiry: 60_000, now: () => now });
    cleanups.push(() => store.close());
    telemetry = startTelemetry();
    await store.write('old1', bodyOf(3 * KiB));
    await store.write('old2', bodyOf(5 * KiB));
    now += 30_000;
    await store.write('young', bodyOf(1 * KiB));
    now += 45_000;
    const pass = await store.cleanup();
    expect(pass.expired).toBe(2);
    expect(await telemetry.value(METRICS.cleanupDeletions, { 'att.reason': 'expired' })).toBe(2);
    expect(await telemetry.value(METRICS.cleanupFreed)).toBe(8 * KiB);
    expect(await telemetry.value(METRICS.cleanupPasses, { 'att.outcome': 'ran' })).toBe(1);
    await store.cleanup();
    expect(await telemetry.value(METRICS.cleanupPasses, { 'att.outcome': 'ran' })).toBe(2);
    expect(await telemetry.value(METRICS.cleanupDeletions, { 'att.reason': 'expired' }), 'nothing more').toBe(2);
  });

  it('count the drift a sync() corrects, in both directions', async () => {
    const backend = fsBackend({ dir: await tempDir() });
    const store = createStore({ backend });
    cleanups.push(() => store.close());
    telemetry = startTelemetry();
    await store.write('counted', bodyOf(2 * KiB));
    // Bytes the store never saw (another tool wrote them): the listing finds more than was counted.
    await backend.put('stray', bodyOf(7 * KiB));
    await store.sync();
    expect(await telemetry.value(METRICS.storeDrift, { 'att.drift': 'uncounted' })).toBe(7 * KiB);
    // Bytes deleted behind the store's back: counted but gone.
    await backend.delete(['counted']);
    await store.sync();
    expect(await telemetry.value(METRICS.storeDrift, { 'att.drift': 'overcounted' })).toBe(2 * KiB);
    expect(store.size).toBe(7 * KiB);
  });

  it('records nothing after close()', async () => {
    const store = createStore({ backend: fsBackend({ dir: await tempDir() }) });
    cleanups.push(() => store.close());
    telemetry = startTelemetry();
    await store.write('one', bodyOf(10));
    telemetry.instrumentation.close();
    await store.write('two', bodyOf(10));
    expect(await telemetry.value(METRICS.uploads, { 'att.outcome': 'stored' })).toBe(1);
  });
});
