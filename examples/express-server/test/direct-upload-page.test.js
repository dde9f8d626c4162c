// The page with `direct: true` on Swift, driven in headless Chromium: real Uppy (@uppy/core + @uppy/aws-s3 5.x,
// bundled by scripts/build-page.js) sends a 2 MiB file in one presigned PUT and a 24 MiB file in presigned parts
// straight to Swift, cross-origin, under the bucket's CORS rule (Swift: the container's
// X-Container-Meta-Access-Control-Allow-Origin; preflights answered by s3api's cors_preflight_allow_origin). The
// example server never sees those bytes; both files then come back through the middleware byte for byte.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@att/s3-sigv4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWIFT_CREDENTIALS, startSwift } from '../../../packages/backend-s3/test/setup/s3-servers.mjs';
import { buildPage } from '../scripts/build-page.js';
import { createApp } from '../src/app.js';
import { launchChromium } from './chromium.js';

const MiB = 1024 * 1024;
let swift;
let bucket;
let server;
let store;
let context;
let profileDir;
let baseUrl;
/** Bytes the example server read from all its connections: the page's API calls only, never the files. */
const sockets = new Set();

function pattern(size, seed) {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return buf;
}

const s3Signing = { ...SWIFT_CREDENTIALS, service: 's3', signedPayload: false };

async function s3(method, path) {
  const url = `${swift.endpoint}/${path}`;
  const { headers } = signRequest({ method, url }, s3Signing);
  return fetch(url, { method, headers });
}

/** The bucket's CORS rule, the Swift way (Swift's s3api has no PutBucketCors): container metadata. */
async function allowOrigin(origin) {
  const auth = await fetch(`${swift.endpoint}/auth/v1.0`, {
    headers: { 'x-auth-user': SWIFT_CREDENTIALS.accessKeyId, 'x-auth-key': SWIFT_CREDENTIALS.secretAccessKey },
  });
  if (auth.status !== 200) throw new Error(`swift auth: ${auth.status}`);
  const token = auth.headers.get('x-auth-token');
  const account = new URL(auth.headers.get('x-storage-url')).pathname;
  // Parts are written to s3api's `<bucket>+segments` container, whose rule answers their PUTs: it gets one too.
  for (const container of [bucket, `${bucket}+segments`]) {
    const res = await fetch(`${swift.endpoint}${account}/${encodeURIComponent(container)}`, {
      method: 'PUT',
      headers: { 'x-auth-token': token, 'x-container-meta-access-control-allow-origin': origin },
    });
    if (res.status !== 201 && res.status !== 202) throw new Error(`CORS on ${container}: ${res.status}`);
  }
}

beforeAll(async () => {
  [swift] = await Promise.all([startSwift(), buildPage()]);
  bucket = `page-${randomUUID().slice(0, 8)}`;
  const created = await s3('PUT', bucket);
  if (created.status !== 200) throw new Error(`create bucket: ${created.status}`);
  const { accessKeyId, secretAccessKey, region } = SWIFT_CREDENTIALS;
  const storage = `s3://${encodeURIComponent(accessKeyId)}:${encodeURIComponent(secretAccessKey)}@${bucket}/att?region=${region}&endpoint=${encodeURIComponent(swift.endpoint)}&forcePathStyle=true`;
  let app;
  ({ app, store } = createApp({
    storage,
    store: { fileSizeLimit: 32 * MiB },
    middleware: { direct: true, rateLimit: false },
  }));
  server = http.createServer(app);
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}/`;
  await allowOrigin(baseUrl.replace(/\/$/, ''));
  profileDir = await mkdtemp(join(tmpdir(), 'att-direct-chromium-'));
  context = await launchChromium(profileDir);
}, 180_000);

afterAll(async () => {
  await context?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await store?.close();
  await swift?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
}, 60_000);

describe('the page with direct uploads, real Uppy in headless chromium, on Swift', () => {
  it('uploads 2 MiB in one PUT and 24 MiB in parts straight to the bucket; both download intact', async () => {
    const page = await context.newPage();
    const bucketRequests = [];
    page.on('request', (req) => {
      if (req.url().startsWith(swift.endpoint)) bucketRequests.push(`${req.method()} ${new URL(req.url()).pathname}`);
    });
    const logs = [];
    page.on('console', (msg) => logs.push(msg.text()));
    await page.goto(baseUrl);
    await page.locator('#limits', { hasText: 'per file' }).waitFor({ timeout: 30_000 });
    const small = pattern(2 * MiB, 5);
    const large = pattern(24 * MiB, 9);
    // Paths, not buffers: Chromium reads the files itself instead of receiving 26 MiB over the DevTools protocol.
    const smallPath = join(profileDir, 'small.bin');
    const largePath = join(profileDir, 'large.bin');
    await Promise.all([writeFile(smallPath, small), writeFile(largePath, large)]);
    await page.setInputFiles('#picker', [smallPath, largePath]);
    const links = page.locator('.upload.done a.download');
    const settled = page.locator('.upload.done');
    await expect
      .poll(async () => settled.count(), { timeout: 120_000, message: `console: ${logs.join('\n')}` })
      .toBe(2);
    expect(await page.locator('.upload .result.error').allTextContents(), logs.join('\n')).toEqual([]);
    expect(await links.count()).toBe(2);
    const hrefs = Object.fromEntries(
      await links.evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])),
    );
    await page.close();

    // Bytes went to the bucket, not through the example server: its connections read only the API calls.
    let serverRead = 0;
    for (const socket of sockets) serverRead += socket.bytesRead;
    expect(serverRead, 'bytes the example server read').toBeLessThan(256 * 1024);
    const puts = bucketRequests.filter((r) => r.startsWith('PUT '));
    expect(puts.length, `PUTs to the bucket: ${puts.join(', ')}`).toBe(1 + 5); // one PUT + 24 MiB in 5 MiB parts

    const ids = {};
    for (const [name, data] of [
      ['small.bin', small],
      ['large.bin', large],
    ]) {
      const href = hrefs[name];
      expect(href, name).toBeTruthy();
      ids[name] = new URL(href).pathname.split('/').pop();
      const res = await fetch(href);
      expect(res.status).toBe(200);
      const got = Buffer.from(await res.arrayBuffer());
      expect(got.length, name).toBe(data.length);
      expect(createHash('sha256').update(got).digest('hex'), name).toBe(
        createHash('sha256').update(data).digest('hex'),
      );
    }

    // One object was one PUT, the other an S3 multipart object of 5 parts; the store counted exactly both. Each
    // was stored with the Content-Type and Content-Disposition the middleware serves (Uppy sent the signed
    // disposition header on the PUT, through the bucket's CORS rule; the server set it on the multipart upload).
    const heads = {};
    for (const name of ['small.bin', 'large.bin']) {
      const [bucketHead, servedHead] = await Promise.all([
        s3('HEAD', `${bucket}/att/${ids[name]}`),
        fetch(hrefs[name], { method: 'HEAD' }),
      ]);
      heads[name] = bucketHead.headers.get('etag');
      const pick = (h) => ({ type: h.get('content-type'), disposition: h.get('content-disposition') });
      expect(pick(bucketHead.headers), `${name}: stored as served`).toEqual(pick(servedHead.headers));
      expect(bucketHead.headers.get('content-disposition'), name).toContain(`filename*=UTF-8''${name}`);
    }
    expect(heads['small.bin']).toMatch(/^"[0-9a-f]{32}"$/);
    expect(heads['large.bin']).toMatch(/^"[0-9a-f]{32}-5"$/);
    expect(await store.usage()).toEqual({ bytes: 26 * MiB, reserved: 0 });
  }, 180_000);
});
