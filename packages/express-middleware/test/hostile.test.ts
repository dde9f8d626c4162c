import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { AttError, type Backend, createStore } from '@att/store-core';
import { afterEach, expect, it } from 'vitest';
import { attachments } from '../src/index.js';
import { bytes, createApp, describeOnEachExpress, rawRequest, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describeOnEachExpress('hostile input', () => {
  it('traversal, encoded dots, NUL and a 10 kB id are 400 INVALID_ID before the backend is touched', async () => {
    server = await startServer();
    const paths = [
      '/attachments/../x',
      '/attachments/..%2Fx',
      '/attachments/%2e%2e',
      '/attachments/%2e%2e%2fetc%2fpasswd',
      '/attachments/a%00b',
      `/attachments/${'a'.repeat(10_000)}`,
      '/attachments/a.b',
    ];
    for (const path of paths) {
      for (const method of ['GET', 'HEAD', 'DELETE']) {
        const res = await rawRequest(server.url, { method, path });
        expect([path, method, res.status]).toEqual([path, method, 400]);
        if (method !== 'HEAD') expect(JSON.parse(res.body.toString()).error.code).toBe('INVALID_ID');
      }
    }
    expect(server.calls).toEqual({ get: 0, head: 0, put: 0, delete: 0 });
  });

  it('filenames with quotes, UTF-8 and CRLF are cleaned at upload and round-trip in Content-Disposition', async () => {
    server = await startServer();
    const name = 'a "quoted"\r\nX-Evil: 1 naïve 日本.txt';
    const res = await fetch(`${server.base}/?filename=${encodeURIComponent(name)}`, {
      method: 'POST',
      body: 'hello',
    });
    const json = await res.json();
    expect(json.name).toBe('a "quoted"X-Evil: 1 naïve 日本.txt');
    const down = await fetch(json.url);
    const cd = down.headers.get('content-disposition') as string;
    expect(cd).not.toMatch(/[\r\n]/);
    expect(cd).toBe(
      `inline; filename="a \\"quoted\\"X-Evil: 1 naive __.txt"; filename*=UTF-8''a%20%22quoted%22X-Evil%3A%201%20na%C3%AFve%20%E6%97%A5%E6%9C%AC.txt`,
    );
    expect(decodeURIComponent(cd.split("UTF-8''")[1] as string)).toBe(json.name);
    expect(down.headers.get('x-evil')).toBeNull();
  });

  it('filename priority: ?filename=, then Filename header, then Content-Disposition (filename* first)', async () => {
    server = await startServer();
    const post = async (query: string, headers: Record<string, string>) =>
      (await (await fetch(`${server.base}/${query}`, { method: 'POST', body: 'x', headers })).json()).name;
    const cd = `attachment; filename="plain.txt"; filename*=UTF-8''%C3%BCber.txt`;
    expect(await post('?filename=q.txt', { filename: 'h.txt', 'content-disposition': cd })).toBe('q.txt');
    expect(await post('', { filename: 'h.txt', 'content-disposition': cd })).toBe('h.txt');
    expect(await post('', { 'content-disposition': cd })).toBe('über.txt');
    expect(await post('', { 'content-disposition': 'attachment; filename="../../etc/passwd"' })).toBe('passwd');
    expect(await post('', {})).toBe('attachment.txt');
  });

  it('a backend outage is a 503 BACKEND_UNAVAILABLE (never a 404) and reaches onError', async () => {
    const seen: unknown[] = [];
    let down = false;
    const flaky = (backend: Backend): Backend =>
      new Proxy(backend, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (down && prop !== 'close') throw new AttError('BACKEND_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.1');
            return value.apply(target, args);
          };
        },
      });
    server = await startServer({ onError: (err) => void seen.push(err) }, {}, flaky);
    const { url } = await (await fetch(`${server.base}/`, { method: 'POST', body: bytes(100) })).json();
    down = true;
    for (const res of [
      await fetch(url),
      await fetch(url, { method: 'HEAD' }),
      await fetch(`${server.base}/`, { method: 'POST', body: bytes(100) }),
    ]) {
      expect(res.status).toBe(503);
      if (res.headers.get('content-length') !== '0' && res.body) {
        const text = await res.text();
        if (text) {
          const json = JSON.parse(text);
          expect(json.error.code).toBe('BACKEND_UNAVAILABLE');
          expect(text).not.toContain('10.0.0.1');
        }
      }
    }
    expect(seen.length).toBe(3);
  });

  it('mounted at the app root, paths that are not ids are left to the app', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'att-mw-root-'));
    const store = createStore({ backend: fsBackend({ dir }) });
    const app = createApp();
    app.use(attachments({ store, rateLimit: false }));
    app.get('/favicon.ico', (_req, res) => void res.send('icon'));
    app.get('/static/app.js', (_req, res) => void res.send('js'));
    const http = app.listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${url}/favicon.ico`)).text()).toBe('icon');
      expect(await (await fetch(`${url}/static/app.js`)).text()).toBe('js');
      const up = await (await fetch(`${url}/`, { method: 'POST', body: 'root mount' })).json();
      expect(up.url, 'relative without publicUrl').toBe(`/${up.id}`);
      expect(await (await fetch(`${url}${up.url}`)).text()).toBe('root mount');
      // Hostile ids are still 400 there, before the backend is asked.
      for (const path of ['/../x', '/%2e%2e', '/a%00b', `/${'a'.repeat(10_000)}`, '/..%2Fx']) {
        for (const method of ['GET', 'HEAD', 'DELETE']) {
          const res = await rawRequest(url, { method, path });
          expect(res.status, `${method} ${path.slice(0, 20)}`).toBe(400);
          if (method !== 'HEAD') expect(JSON.parse(res.body.toString()).error.code).toBe('INVALID_ID');
        }
      }
      expect((await rawRequest(url, { path: '/static/app.js' })).status).toBe(200);
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
