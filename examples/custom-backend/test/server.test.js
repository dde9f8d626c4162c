import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

let dir;
let server;
let store;
let base;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'att-packdir-server-'));
  const created = createApp({ storage: `packdir://${dir}`, middleware: { rateLimit: false } });
  store = created.store;
  server = await new Promise((resolve) => {
    const s = created.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${server.address().port}/attachments`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the server on the packdir:// backend', () => {
  it('uploads, downloads a range and lists one self-describing file per attachment', async () => {
    const data = Buffer.from('hello from a third-party backend '.repeat(100));
    const up = await fetch(`${base}/?filename=${encodeURIComponent('grüße.txt')}`, { method: 'POST', body: data });
    expect(up.status).toBe(201);
    const json = await up.json();
    expect(json).toMatchObject({ name: 'grüße.txt', size: data.length, type: 'text/plain; charset=utf-8' });

    // The answer's url is relative (it works behind any proxy): resolve it against the server.
    const url = new URL(json.url, base).href;
    const full = await fetch(url);
    expect(Buffer.from(await full.arrayBuffer()).equals(data)).toBe(true);
    expect(full.headers.get('content-disposition')).toContain("filename*=UTF-8''gr%C3%BC%C3%9Fe.txt");
    const part = await fetch(url, { headers: { range: 'bytes=6-9' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('from');

    const files = (await readdir(dir)).filter((name) => name.endsWith('.obj'));
    expect(files.length).toBe(1);
    const backend = createBackend(`packdir://${dir}`);
    const info = await backend.head(json.id);
    expect(info.size).toBe(data.length);
  });

  it('unknown packdir URLs are refused with INVALID_CONFIG', () => {
    expect(() => createBackend('packdir://host/x')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
