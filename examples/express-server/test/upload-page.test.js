import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { launchChromium } from './chromium.js';

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
  context = await launchChromium(profileDir, { acceptDownloads: true });
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

    // Remembered across a reload, with its delete button.
    await page.reload();
    const remembered = page.locator('.upload a.download', { hasText: 'résumé "v2".bin' });
    await remembered.waitFor({ timeout: 30_000 });
    expect(await page.locator('.upload button.delete').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('shows the limits the server enforces, from /config.json', async () => {
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.locator('#limits', { hasText: 'per file' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#limits').textContent()).toMatch(
      /^Up to 1\.0 MiB per file, 100\.0 MiB in total, files expire after 3 hours\.$/,
    );
    await page.close();
  });

  it('keyboard only: Tab to the picker (visible focus), choose a file, copy its link, delete it', async () => {
    const page = await context.newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl.replace(/\/$/, '') });
    await page.goto(baseUrl);
    await page.locator('#limits', { hasText: 'per file' }).waitFor({ timeout: 30_000 });
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
    for (let i = 0; i < 20 && (await focusedId()) !== 'picker'; i++) await page.keyboard.press('Tab');
    expect(await focusedId(), 'the picker is reachable with Tab').toBe('picker');
    const ring = await page.locator('#drop').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(ring, 'focus is visible on the drop zone').toBe('solid');

    const data = pattern(10 * 1024, 3);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await chooser.setFiles({ name: 'keyboard.bin', mimeType: 'application/octet-stream', buffer: data });
    const row = page.locator('.upload', { hasText: 'keyboard.bin' });
    await row.locator('a.download').waitFor({ timeout: 30_000 });
    const url = await row.locator('a.download').evaluate((a) => a.href);

    const copy = row.locator('button.copy');
    for (let i = 0; i < 20 && !(await copy.evaluate((b) => b === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.locator('#status', { hasText: 'copied' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    await page.keyboard.press('Tab');
    expect(await row.locator('button.delete').evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('#status', { hasText: 'Deleted keyboard.bin' }).waitFor({ timeout: 30_000 });
    expect(await row.count()).toBe(0);
    expect((await fetch(url)).status, 'deleted on the server with the owner token').toBe(404);
    const stored = await page.evaluate(() => localStorage.getItem('att-example-uploads'));
    expect(stored).not.toContain('keyboard.bin');
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
    expect(await error.textContent()).toBe('Too large: big.bin is 2.0 MiB; the limit is 1.0 MiB per file.');
    await page.close();
  });
});
