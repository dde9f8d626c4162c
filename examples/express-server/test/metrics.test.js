// The example's operations routes after a scripted run: /metrics (Prometheus text) shows each series with the
// values the run must produce, /readyz answers 200 (503 once draining), and att's log lines are pino JSON.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';

const KiB = 1024;
let dir;
let server;
let base;
let created;
const logLines = [];

/** Every sample of `name` in Prometheus text, with its labels. */
function samples(text, name) {
  const found = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

/** The value of `name` whose labels include `match`; undefined when no sample has them. */
function sampleValue(text, name, match = {}) {
  return samples(text, name).find((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))?.value;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'att-example-metrics-'));
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  created = createApp({
    storage: dir,
    middleware: { fileSizeLimit: 64 * KiB, rateLimit: false },
    logger: createLogger(sink),
  });
  server = created.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await created.metrics.close();
  await created.store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('example operations routes', () => {
  it('/metrics after uploads and downloads shows the series with the values of the run', async () => {
    const ids = [];
    for (const size of [10 * KiB, 20 * KiB, 30 * KiB]) {
      const res = await fetch(`${base}/attachments/`, { method: 'POST', body: new Uint8Array(size) });
      expect(res.status).toBe(201);
      ids.push((await res.json()).id);
    }
    const tooLarge = await fetch(`${base}/attachments/`, { method: 'POST', body: new Uint8Array(100 * KiB) });
    expect(tooLarge.status).toBe(413);
    await tooLarge.arrayBuffer();
    for (const id of [ids[0], ids[0], ids[1]]) {
      const res = await fetch(`${base}/attachments/${id}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const missing = await fetch(`${base}/attachments/no-such-file`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();

    // Request events are published when each response has ended: scrape until all eight are in (bounded).
    let text = '';
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      text = await res.text();
      const served = samples(text, 'http_server_request_duration_count').reduce((sum, s) => sum + s.value, 0);
      if (served >= 8) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const store = { att_store: 'files' };
    expect(sampleValue(text, 'att_uploads_total', { ...store, att_outcome: 'stored' }), 'three stored').toBe(3);
    expect(sampleValue(text, 'att_uploads_total', { ...store, att_outcome: 'TOO_LARGE' }), 'one too large').toBe(1);
    expect(sampleValue(text, 'att_upload_duration_count', { ...store, att_outcome: 'stored' })).toBe(3);
    expect(sampleValue(text, 'att_downloads_total', { att_outcome: 'ok' }), 'three downloads').toBe(3);
    expect(sampleValue(text, 'att_downloads_total', { att_outcome: 'NOT_FOUND' })).toBe(1);
    const created201 = { att_route: 'upload', http_request_method: 'POST', http_response_status_code: '201' };
    expect(sampleValue(text, 'http_server_request_duration_count', created201)).toBe(3);
    expect(
      sampleValue(text, 'http_server_request_duration_bucket', { ...created201, le: '+Inf' }),
      'the histogram has its buckets',
    ).toBe(3);
    const received = sampleValue(text, 'att_http_io_total', { att_route: 'upload', network_io_direction: 'receive' });
    expect(received, 'the three stored bodies, at least').toBeGreaterThanOrEqual(60 * KiB);
    const sent = sampleValue(text, 'att_http_io_total', { att_route: 'download', network_io_direction: 'transmit' });
    expect(sent, 'three download bodies (10 + 10 + 20 KiB) and headers').toBeGreaterThan(40 * KiB);
    expect(sent).toBeLessThan(45 * KiB);
    expect(sampleValue(text, 'att_store_size', store), 'gauge: 60 KiB stored').toBe(60 * KiB);
    expect(sampleValue(text, 'att_store_remaining', store)).toBe(5 * 1024 * 1024 * KiB - 60 * KiB);
    expect(sampleValue(text, 'att_uploads_active', store)).toBe(0);

    // A cleanup pass shows up too (nothing expired yet: a pass that ran, no deletions).
    await created.store.cleanup();
    const after = await (await fetch(`${base}/metrics`)).text();
    expect(sampleValue(after, 'att_cleanup_passes_total', { ...store, att_outcome: 'ran' })).toBe(1);
    expect(sampleValue(after, 'att_cleanup_deletions_total', store), 'nothing deleted').toBeUndefined();
  });

  it('/readyz is 200 while the storage works and 503 once the app drains', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
    created.app.locals.draining = true;
    const draining = await fetch(`${base}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining' });
    expect((await fetch(`${base}/healthz`)).status, 'still alive while draining').toBe(200);
    created.app.locals.draining = false;
  });

  it("att's log entries are pino JSON with a level, a message and redacted objects", async () => {
    // A store.on() listener that throws is logged (warn) by the store, through the app's pino logger.
    const stop = created.store.on('write', () => {
      throw new Error('listener failed while reading s3://AKIAEXAMPLE:verysecret@bucket/x');
    });
    const res = await fetch(`${base}/attachments/`, { method: 'POST', body: new Uint8Array(10) });
    expect(res.status).toBe(201);
    await res.arrayBuffer();
    stop();
    const entry = logLines.find((line) => line.msg === "a store.on('write') listener threw");
    expect(entry, JSON.stringify(logLines)).toMatchObject({ level: 40, service: 'att-example', event: 'write' });
    expect(JSON.stringify(entry)).not.toContain('verysecret');
    expect(entry.err.message).toContain('s3://[redacted]@bucket/x');
  });

  it('a 5xx answer and its pino error line carry the same requestId (last: it breaks the storage)', async () => {
    // The directory is gone and a file took its place: nothing can be stored any more.
    await rm(dir, { recursive: true, force: true });
    await writeFile(dir, 'not a directory');
    const res = await fetch(`${base}/attachments/`, { method: 'POST', body: new Uint8Array(100) });
    expect(res.status).toBe(503);
    const { error } = await res.json();
    expect(error.requestId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(res.headers.get('x-request-id')).toBe(error.requestId);
    const line = logLines.find((entry) => entry.requestId === error.requestId);
    expect(line, JSON.stringify(logLines.slice(-3))).toMatchObject({
      level: 50,
      msg: 'attachments request failed',
      req: { method: 'POST', path: '/attachments/' },
    });
    expect(line.err.code).toBeDefined();
    expect(JSON.stringify(line), 'the log names no path of the server').not.toContain(dir);
  });
});
