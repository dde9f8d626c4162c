import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { CHROMIUM } from './ensure-chromium.js';

const MiB = 1024 * 1024;
let dataDir;
let profileDir;
let server;
let store;
let context;
let baseUrl;

function pattern(size, seed) {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return buf;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'att-example-data-'));
  profileDir = await mkdtemp(join(tmpdir(), 'att-example-chromium-'));
  ({ app: server, store } = createApp({ storage: dataDir, middleware: { fileSizeLimit: MiB, rateLimit: false } }));
  server = await new Promise((resolve) => {
    const s = server.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${server.address().port}/`;
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await store?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(profileDir, { recursive: true, force: true });
});

describe('upload page in headless chromium', () => {
  it('picks a file, shows progress and the link, and downloads the same bytes', async () => {
    const page = await context.newPage();
    await page.goto(baseUrl);
    const data = pattern(900 * 1024, 7);
    await page.setInputFiles('#picker', {
      name: 'résumé "v2".bin',
      mimeType: 'application/octet-stream',
      buffer: data,
    });
    const link = page.locator('.upload.done a.download');
    await link.waitFor({ timeout: 30_000 });
    expect(await page.locator('.upload progress').evaluate((p) => p.value)).toBe(100);
    expect(await link.textContent()).toBe('résumé "v2".bin');
    expect(await page.locator('.upload .size').textContent()).toBe('900.0 KiB');
    expect(await page.locator('.upload .expires').textContent()).toMatch(/expires/);

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const saved = await download.path();
    expect((await readFile(saved)).equals(data)).toBe(true);
    await page.close();
  });

  it('shows the error when a file is too large', async () => {
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.setInputFiles('#picker', {
      name: 'big.bin',
      mimeType: 'application/octet-stream',
      buffer: pattern(2 * MiB, 1),
    });
    const error = page.locator('.upload .result.error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/^Too large/);
    await page.close();
  });
});
