import { AttError, type Backend } from '@att/store-core';
import { afterEach, expect, it } from 'vitest';
import { bytes, describeOnEachExpress, rawRequest, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** A backend whose calls all fail with `err` once `failing.on` is set. */
function failingWith(err: () => Error, failing: { on: boolean }) {
  return (backend: Backend): Backend =>
    new Proxy(backend, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (failing.on && prop !== 'close') throw err();
          return value.apply(target, args);
        };
      },
    });
}

describeOnEachExpress('error contract', () => {
  it('malformed percent-escapes are 400 INVALID_ID JSON, never the app error handler', async () => {
    server = await startServer();
    for (const path of ['/attachments/%zz', '/attachments/%E0%A4%A', '/attachments/a%']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await rawRequest(server.url, { method, path });
        expect([method, path, res.status]).toEqual([method, path, 400]);
        expect(JSON.parse(res.body.toString()), `${method} ${path}`).toEqual({
          error: { code: 'INVALID_ID', message: 'invalid attachment id' },
        });
      }
    }
    expect(server.calls.get + server.calls.head + server.calls.delete).toBe(0);
  });

  it('a provider 404 says only "attachment not found"; provider text never reaches the client', async () => {
    const failing = { on: false };
    const providerText = 'S3 GetObject bucket-secret-name/key HTTP 404, NoSuchKey: The specified key does not exist.';
    server = await startServer(
      {},
      {},
      failingWith(() => new AttError('NOT_FOUND', providerText), failing),
    );
    const { id } = await (await fetch(`${server.base}/`, { method: 'POST', body: bytes(10) })).json();
    failing.on = true;
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${server.base}/${id}`, { method, headers: { 'x-admin': '1' } });
      const text = await res.text();
      if (method === 'GET') {
        expect(res.status).toBe(404);
        expect(JSON.parse(text)).toEqual({ error: { code: 'NOT_FOUND', message: 'attachment not found' } });
      }
      expect(text).not.toContain('bucket-secret-name');
      expect(text).not.toContain('NoSuchKey');
    }
  });

  it('outages are 503 "storage unavailable" with a request id that onError gets too, and no-store', async () => {
    const failing = { on: false };
    const seen: { err: unknown; requestId: string }[] = [];
    server = await startServer(
      { onError: (err, _req, context) => void seen.push({ err, requestId: context?.requestId ?? '' }) },
      {},
      failingWith(() => new AttError('BACKEND_UNAVAILABLE', 'connect ECONNREFUSED 10.9.8.7:9000'), failing),
    );
    const { id } = await (await fetch(`${server.base}/`, { method: 'POST', body: bytes(10) })).json();
    failing.on = true;
    const res = await fetch(`${server.base}/${id}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { error } = await res.json();
    expect(error).toEqual({
      code: 'BACKEND_UNAVAILABLE',
      message: 'storage unavailable',
      requestId: expect.any(String),
    });
    expect(res.headers.get('x-request-id')).toBe(error.requestId);
    expect(seen.map((s) => s.requestId)).toEqual([error.requestId]);
    expect(String((seen[0]?.err as AttError | undefined)?.message)).toContain('10.9.8.7');
  });

  it('every error answer carries Cache-Control: no-store', async () => {
    server = await startServer();
    for (const [path, method] of [
      ['/attachments/nope', 'GET'],
      ['/attachments/nope', 'DELETE'],
      ['/attachments/..%2Fx', 'GET'],
    ] as const) {
      const res = await rawRequest(server.url, { method, path });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers['cache-control'], `${method} ${path}`).toBe('no-store');
    }
  });
});
