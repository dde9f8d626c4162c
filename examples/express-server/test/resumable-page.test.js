// The page's resumable uploads (tus through tus-js-client served from node_modules) in headless Chromium: the
// network is cut mid-upload through CDP (Network.emulateNetworkConditions offline) and brought back; the upload
// must carry on from the server's offset, not from zero, and the file must arrive byte for byte. Pause and Resume
// do the same by hand. The upload is throttled through CDP so that it is still running when the test acts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { RESUMABLE } from '../src/resumable.js';
import { launchChromium } from './chromium.js';

const MiB = 1024 * 1024;
/** Per test: a throttled browser upload on a busy 2-core machine. */
const timeout = 180_000;
let dataDir;
let profileDir;
let filesDir;
let server;
let store;
let context;
let baseUrl;
/** Every tus request the server saw, in order: method and Upload-Offset. */
const requests = [];

function pattern(size, seed) {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 131 + seed + (i >> 12)) & 0xff;
  return buf;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'att-example-tus-'));
  profileDir = await mkdtemp(join(tmpdir(), 'att-example-tus-chromium-'));
  filesDir = await mkdtemp(join(tmpdir(), 'att-example-tus-files-'));
  const created = createApp({
    storage: dataDir,
    store: { fileSizeLimit: 64 * MiB },
    middleware: { rateLimit: false, visitorDailyBandwidth: false },
  });
  store = created.store;
  const outer = express();
  outer.use('/attachments/uploads', (req, _res, next) => {
    requests.push({ method: req.method, offset: req.get('upload-offset') });
    next();
  });
  outer.use(created.app);
  server = await new Promise((resolve) => {
    const s = outer.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${server.address().port}/`;
  context = await launchChromium(profileDir);
}, timeout);

afterAll(async () => {
  await context?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await store?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(profileDir, { recursive: true, force: true });
  await rm(filesDir, { recursive: true, force: true });
}, timeout);

/** Network conditions through CDP: `offline`, and the upload throughput in bytes per second (-1: unthrottled). */
async function network(cdp, { offline = false, upload = -1 } = {}) {
  await cdp.send('Network.emulateNetworkConditions', {
    offline,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: upload,
  });
}

/** Opens the page, throttled, and picks a file of `size` bytes; resolves once it is uploading through tus. */
async function startUpload(name, size, seed, throughput) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await page.goto(baseUrl);
  await page.locator('#limits', { hasText: 'per file' }).waitFor({ timeout: 30_000 });
  await network(cdp, { upload: throughput });
  const data = pattern(size, seed);
  const first = requests.length;
  // From a file on disk: Chromium reads it itself (a buffer would cross the protocol base64-encoded).
  const file = join(filesDir, name);
  await writeFile(file, data);
  await page.setInputFiles('#picker', file);
  const row = page.locator('.upload', { hasText: name });
  await row.locator('button.pause').waitFor({ timeout: 30_000 });
  return { page, cdp, data, row, sent: () => requests.slice(first) };
}

/** Waits until the row's progress bar reaches `percent`. */
async function progressReaches(row, percent) {
  await row.locator('progress').evaluate(
    (bar, at) =>
      new Promise((resolve) => {
        const check = () => (bar.value >= at ? resolve() : setTimeout(check, 20));
        check();
      }),
    percent,
  );
}

/** Waits for the finished row and returns its link and the downloaded bytes. */
async function finished(row) {
  const link = row.locator('a.download');
  await link.waitFor({ timeout: 120_000 });
  const href = await link.evaluate((a) => a.href);
  const res = await fetch(href);
  expect(res.status, 'download of the finished upload').toBe(200);
  return { href, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('resumable uploads on the page, in headless chromium', () => {
  it('serves tus-js-client from the package and says which files go through tus', async () => {
    const res = await fetch(`${baseUrl}vendor/tus.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(await res.text()).toContain('tus');
    const config = await (await fetch(`${baseUrl}config.json`)).json();
    expect(config.resumable).toEqual(RESUMABLE);
  });

  it('a connection cut mid-upload (CDP offline) resumes from the server offset; the file arrives intact', {
    timeout,
  }, async () => {
    const size = 3 * RESUMABLE.chunkSize;
    // 4 MiB/s: about six seconds in all, so the cut lands while bytes are in flight.
    const { page, cdp, data, row, sent } = await startUpload('cut.bin', size, 5, 4 * MiB);
    await progressReaches(row, 45);
    await network(cdp, { offline: true });
    await page.locator('.upload[data-state="offline"]', { hasText: 'cut.bin' }).waitFor({ timeout: 60_000 });
    const beforeCut = sent().length;
    expect(await page.locator('#status').textContent()).toMatch(/connection lost/);
    await network(cdp, { upload: 16 * MiB });
    const { href, bytes } = await finished(row);
    expect(bytes.length, 'bytes downloaded').toBe(size);
    expect(bytes.equals(data), 'the downloaded file differs from the one picked').toBe(true);

    const all = sent();
    expect(all[0]?.method, 'the upload went through tus').toBe('POST');
    const resumed = all.slice(beforeCut).filter((r) => r.method === 'PATCH');
    expect(resumed.length, 'no PATCH after the connection came back').toBeGreaterThan(0);
    expect(Number(resumed[0].offset), 'the upload started again from zero after the cut').toBeGreaterThan(0);
    // The token came with the creation's answer (Att-Delete-Token): the owner deletes the attachment.
    await row.locator('button.delete').click();
    await page.locator('#status', { hasText: 'Deleted cut.bin' }).waitFor({ timeout: 30_000 });
    expect((await fetch(href)).status, 'deleted on the server with the owner token').toBe(404);
    await page.close();
  });

  it('Pause stops the upload and Resume carries on from where the server is', { timeout }, async () => {
    const size = 2 * RESUMABLE.chunkSize + 12345;
    const { page, cdp, data, row, sent } = await startUpload('paused.bin', size, 9, 4 * MiB);
    await progressReaches(row, 50);
    const pause = row.locator('button.pause');
    await pause.click();
    expect(await pause.textContent()).toBe('Resume');
    expect(await row.getAttribute('data-state')).toBe('paused');
    const atPause = sent().length;
    await network(cdp, { upload: 16 * MiB });
    await pause.click();
    const { bytes } = await finished(row);
    expect(bytes.equals(data), 'the downloaded file differs from the one picked').toBe(true);
    const resumed = sent()
      .slice(atPause)
      .filter((r) => r.method === 'PATCH');
    expect(resumed.length, 'no PATCH after Resume').toBeGreaterThan(0);
    expect(Number(resumed[0].offset), 'Resume started again from zero').toBeGreaterThan(0);
    await page.close();
  });

  it('files at or under the threshold still go up in one plain request', { timeout }, async () => {
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.locator('#limits', { hasText: 'per file' }).waitFor({ timeout: 30_000 });
    const first = requests.length;
    const data = pattern(RESUMABLE.threshold, 2);
    await page.setInputFiles('#picker', { name: 'small.bin', mimeType: 'application/octet-stream', buffer: data });
    const { bytes } = await finished(page.locator('.upload', { hasText: 'small.bin' }));
    expect(bytes.equals(data)).toBe(true);
    expect(requests.length, 'a small file went through tus').toBe(first);
    await page.close();
  });
});
