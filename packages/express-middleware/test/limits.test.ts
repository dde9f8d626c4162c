import http from 'node:http';
import { createMemoryLedger, type Ledger } from '@att/store-core';
import { afterEach, expect, it } from 'vitest';
import { createMemoryLimiterStore, type LimiterStore } from '../src/index.js';
import { bytes, describeOnEachExpress, eventually, listKeys, startServer, type TestServer } from './fixture.js';

/** A limiter store answering with promises, as a shared (Redis, SQL) one would. */
function asyncLimits(): LimiterStore {
  const inner = createMemoryLedger();
  const later = <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => setImmediate(() => fn().then(resolve, reject)));
  const ledger: Ledger = {
    reserve: (...args) => later(() => inner.reserve(...args)),
    renew: (...args) => later(() => inner.renew(...args)),
    settle: (...args) => later(() => inner.settle(...args)),
    usage: (...args) => later(() => inner.usage(...args)),
    peek: (counter) => inner.peek(counter),
  };
  const limiter = createMemoryLimiterStore({ ledger });
  return { ledger, take: (...args) => later(() => limiter.take(...args)) };
}

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const KiB = 1024;

/**
 * Sends a body chunk by chunk (chunked unless a Content-Length header is given) until the server answers or
 * `maxBytes` went out; resolves with the answer and how much was written.
 */
function streamingUpload(
  url: string,
  opts: { headers?: Record<string, string>; chunk?: number; maxBytes: number; sendBody?: boolean },
): Promise<{ status: number; json: { error?: { code: string } }; written: number }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request({ host: hostname, port, path: pathname, method: 'POST', headers: opts.headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || '{}'), written });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.flushHeaders();
    if (opts.sendBody === false) return;
    const chunk = bytes(opts.chunk ?? 64 * KiB);
    const pump = () => {
      while (!answered && written < opts.maxBytes) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describeOnEachExpress('limits while streaming', () => {
  it('a Content-Length over the file limit is refused on the headers alone', async () => {
    server = await startServer({ fileSizeLimit: 100 * KiB });
    const res = await streamingUpload(`${server.base}/`, {
      headers: { 'content-length': String(1024 * 1024 * 1024) },
      maxBytes: 0,
      sendBody: false,
    });
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('TOO_LARGE');
    expect(server.calls.put).toBe(0);
  });

  it('multipart: a Content-Length beyond maxFiles × fileSizeLimit (plus overhead) is refused on the headers alone', async () => {
    server = await startServer({ fileSizeLimit: 100 * KiB, maxFiles: 2 });
    const res = await streamingUpload(`${server.base}/`, {
      headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'content-length': String(8 * 1024 * 1024) },
      maxBytes: 0,
      sendBody: false,
    });
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('TOO_LARGE');
    expect(server.calls.put).toBe(0);
    // Two files at the limit still fit, boundaries and all.
    const form = new FormData();
    form.append('a', new Blob([bytes(100 * KiB, 1)]), 'a.bin');
    form.append('b', new Blob([bytes(100 * KiB, 2)]), 'b.bin');
    const ok = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(ok.status).toBe(201);
    expect((await ok.json()).files.map((a: { size: number }) => a.size)).toEqual([100 * KiB, 100 * KiB]);
  });

  it('a chunked body crossing the file limit is cut with 413, nothing kept, size unchanged', async () => {
    server = await startServer({ fileSizeLimit: 100 * KiB });
    const res = await streamingUpload(`${server.base}/`, { maxBytes: 3 * 1024 * KiB });
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('TOO_LARGE');
    expect(await eventually(() => server.store.size === 0)).toBe(true);
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('a fast fetch client still gets its 413 with and without Content-Length', async () => {
    server = await startServer({ fileSizeLimit: 64 * KiB });
    const body = bytes(2 * 1024 * KiB);
    const withLength = await fetch(`${server.base}/`, { method: 'POST', body });
    expect(withLength.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 32; i++) controller.enqueue(body.subarray(i * 64 * KiB, (i + 1) * 64 * KiB));
        controller.close();
      },
    });
    const chunked = await fetch(`${server.base}/`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error.code).toBe('TOO_LARGE');
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('multipart: a file over the limit fails the whole request and removes the files before it', async () => {
    server = await startServer({ fileSizeLimit: 100 * KiB });
    const form = new FormData();
    form.append('file', new Blob([bytes(50 * KiB)]), 'small.bin');
    form.append('file', new Blob([bytes(300 * KiB)]), 'big.bin');
    const res = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('TOO_LARGE');
    expect(await eventually(() => server.store.size === 0)).toBe(true);
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('visitor total size: 413 once the visitor holds too much, with and without Content-Length', async () => {
    server = await startServer({ visitorTotalSizeLimit: 100 * KiB });
    const first = await fetch(`${server.base}/`, { method: 'POST', body: bytes(60 * KiB) });
    expect(first.status).toBe(201);
    const second = await fetch(`${server.base}/`, { method: 'POST', body: bytes(60 * KiB) });
    expect(second.status).toBe(413);
    expect((await second.json()).error.code).toBe('TOO_LARGE');
    const chunked = await streamingUpload(`${server.base}/`, { maxBytes: 60 * KiB, chunk: 4 * KiB });
    expect(chunked.status).toBe(413);
    const fits = await fetch(`${server.base}/`, { method: 'POST', body: bytes(30 * KiB) });
    expect(fits.status).toBe(201);
    expect(server.store.size).toBe(90 * KiB);
  });

  it('concurrent uploads of one visitor cannot overshoot its total together', async () => {
    server = await startServer({ visitorTotalSizeLimit: 100 * KiB });
    const results = await Promise.all(
      [1, 2, 3].map(() => streamingUpload(`${server.base}/`, { maxBytes: 60 * KiB, chunk: 4 * KiB })),
    );
    const ok = results.filter((r) => r.status === 201).length;
    expect(ok).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 413).length).toBe(3 - ok);
    expect(await eventually(() => server.store.size === ok * 60 * KiB)).toBe(true);
  });

  it('an asynchronous LimiterStore enforces the same limits mid-stream', async () => {
    server = await startServer({
      visitorTotalSizeLimit: 100 * KiB,
      limits: asyncLimits(),
      rateLimit: { burst: 5, refillMs: 60_000 },
    });
    const first = await streamingUpload(`${server.base}/`, { maxBytes: 60 * KiB, chunk: 4 * KiB });
    expect(first.status).toBe(201);
    const second = await streamingUpload(`${server.base}/`, { maxBytes: 60 * KiB, chunk: 4 * KiB });
    expect(second.status).toBe(413);
    expect(await eventually(() => server.store.size === 60 * KiB)).toBe(true);
  });

  it('visitor daily bandwidth covers uploads and downloads: 429 when used up', async () => {
    server = await startServer({ visitorDailyBandwidth: 100 * KiB });
    const up = await fetch(`${server.base}/`, { method: 'POST', body: bytes(60 * KiB) });
    expect(up.status).toBe(201);
    const { url } = await up.json();
    const down = await fetch(url);
    expect(down.status).toBe(429);
    expect((await down.json()).error.code).toBe('RATE_LIMITED');
    const small = await fetch(url, { headers: { range: 'bytes=0-1023' } });
    expect(small.status).toBe(206);
    const tooMuch = await fetch(`${server.base}/`, { method: 'POST', body: bytes(60 * KiB) });
    expect(tooMuch.status).toBe(429);
  });

  it('failed uploads spend bandwidth too: bytes that crossed the wire are not given back', async () => {
    server = await startServer({ fileSizeLimit: 64 * KiB, visitorDailyBandwidth: 512 * KiB });
    let refused = 0;
    for (let i = 0; i < 20 && refused < 20; i++) {
      const res = await streamingUpload(`${server.base}/`, { maxBytes: 256 * KiB, chunk: 16 * KiB });
      if (res.json.error?.code === 'RATE_LIMITED') break;
      expect(res.status, 'an oversized upload is refused as too large').toBe(413);
      refused += 1;
    }
    // Each refused upload spent more than 64 KiB of the 512 KiB: at most 8 can be refused as TOO_LARGE
    // before the bandwidth itself refuses. Refunding them (the old bug) would allow all 20.
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(8);
    const small = await fetch(`${server.base}/`, { method: 'POST', body: bytes(KiB) });
    expect(small.status).toBe(429);
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('a visitor with no bandwidth left is refused before any byte, chunked or multipart (429)', async () => {
    server = await startServer({ visitorDailyBandwidth: 100 * KiB });
    expect((await fetch(`${server.base}/`, { method: 'POST', body: bytes(100 * KiB) })).status).toBe(201);
    const chunked = await streamingUpload(`${server.base}/`, { maxBytes: 8 * KiB, chunk: 4 * KiB });
    expect([chunked.status, chunked.json.error?.code]).toEqual([429, 'RATE_LIMITED']);
    const form = new FormData();
    form.append('file', new Blob([bytes(10)]), 'x.bin');
    const multipart = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(multipart.status).toBe(429);
    expect((await multipart.json()).error.code).toBe('RATE_LIMITED');
  });

  it('store full: 507 QUOTA_EXCEEDED with and without Content-Length', async () => {
    server = await startServer({}, { totalSizeLimit: 100 * KiB });
    expect((await fetch(`${server.base}/`, { method: 'POST', body: bytes(80 * KiB) })).status).toBe(201);
    const withLength = await fetch(`${server.base}/`, { method: 'POST', body: bytes(40 * KiB) });
    expect(withLength.status).toBe(507);
    expect((await withLength.json()).error.code).toBe('QUOTA_EXCEEDED');
    const chunked = await streamingUpload(`${server.base}/`, { maxBytes: 40 * KiB, chunk: 4 * KiB });
    expect(chunked.status).toBe(507);
    expect(chunked.json.error?.code).toBe('QUOTA_EXCEEDED');
    expect(await eventually(() => server.store.size === 80 * KiB)).toBe(true);
  });

  it('rate limit: 429 with Retry-After once the burst is spent', async () => {
    server = await startServer({ rateLimit: { burst: 3, refillMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.base}/nothing`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const res = await fetch(`${server.base}/nothing`);
    expect(res.headers.get('retry-after')).toBe('60');
    expect((await res.json()).error.code).toBe('RATE_LIMITED');
  });

  it('visitors are keyed by req.ip, so Express trust proxy decides who pays', async () => {
    server = await startServer({ rateLimit: { burst: 1, refillMs: 60_000 } }, {}, undefined, true);
    const as = (ip: string) => fetch(`${server.base}/nothing`, { headers: { 'x-forwarded-for': ip } });
    expect((await as('203.0.113.1')).status).toBe(404);
    expect((await as('203.0.113.1')).status).toBe(429);
    expect((await as('203.0.113.2')).status).toBe(404);
  });

  it('a client that disconnects mid-upload leaves no object and the store size restored', async () => {
    server = await startServer({ fileSizeLimit: 64 * 1024 * KiB });
    const { hostname, port } = new URL(server.url);
    const req = http.request({ host: hostname, port, path: '/attachments/', method: 'POST' });
    req.on('error', () => {});
    const chunk = bytes(64 * KiB);
    for (let i = 0; i < 16; i++) {
      if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
    }
    expect(await eventually(() => server.store.size > 0, 5000)).toBe(true);
    req.destroy();
    expect(await eventually(() => server.store.size === 0, 500)).toBe(true);
    expect(await listKeys(server.backend)).toEqual([]);
  });
});
