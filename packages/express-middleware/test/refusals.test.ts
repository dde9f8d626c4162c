import { afterEach, expect, it } from 'vitest';
import { deferContinue } from '../src/index.js';
import { currentExpress, describeOnEachExpress, listKeys, startServer, type TestServer } from './fixture.js';
import { pushBody } from './wire.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const MiB = 1024 * 1024;
/** What a refused client may get written before the server hangs up: the drain cap plus loopback buffers. */
const WRITTEN_BOUND = 24 * MiB;

describeOnEachExpress('refusals with a body pending', () => {
  it('a body parser mounted first: 400 BODY_CONSUMED at once, naming the mount order, for json, urlencoded, text and raw', async () => {
    const parsers = [
      { mount: () => currentExpress().json(), type: 'application/json', body: '{"a":1}' },
      {
        mount: () => currentExpress().urlencoded({ extended: false }),
        type: 'application/x-www-form-urlencoded',
        body: 'a=1',
      },
      { mount: () => currentExpress().text(), type: 'text/plain', body: 'hello' },
      { mount: () => currentExpress().raw(), type: 'application/octet-stream', body: 'raw' },
    ];
    for (const parser of parsers) {
      server = await startServer({}, {}, undefined, false, (app) => void app.use(parser.mount()));
      const res = await fetch(`${server.base}/`, {
        method: 'POST',
        body: parser.body,
        headers: { 'content-type': parser.type },
      });
      expect(res.status, parser.type).toBe(400);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { error } = await res.json();
      expect(error.code).toBe('BODY_CONSUMED');
      expect(error.message).toMatch(/mount attachments\(\) before/);
      expect(await listKeys(server.backend)).toEqual([]);
      await server.close();
    }
    // A type no parser took still uploads with the parsers mounted.
    server = await startServer({}, {}, undefined, false, (app) => void app.use(currentExpress().json()));
    const ok = await fetch(`${server.base}/`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    expect(ok.status).toBe(201);
  });

  it('403, 429, 413 and 404-free refusals answer at once and close after a bounded drain (never read 64 MiB)', async () => {
    const cases: { options: Parameters<typeof startServer>[0]; status: number }[] = [
      { options: { authorize: () => false }, status: 403 },
      { options: { rateLimit: { burst: 1, refillMs: 60_000 } }, status: 429 },
      { options: { fileSizeLimit: 1024 }, status: 413 },
    ];
    for (const { options, status } of cases) {
      server = await startServer(options);
      if (status === 429) await fetch(`${server.base}/nothing`); // spends the burst
      const res = await pushBody(server.url, { path: '/attachments/', headers: {}, maxBytes: 64 * MiB });
      expect(res.head.slice(0, 12), `status for ${status}`).toBe(`HTTP/1.1 ${status}`);
      expect(res.written, `bytes the client pushed into a ${status}`).toBeLessThan(WRITTEN_BOUND);
      expect(res.closedByServer, `${status} closes the connection`).toBe(true);
      expect(JSON.parse(res.body).error.code).toBeTypeOf('string');
      await server.close();
    }
    server = await startServer();
  });

  it('Expect: 100-continue with deferContinue: a refusable upload gets the refusal, never 100 Continue', async () => {
    server = await startServer({ authorize: (req) => req.get('x-key') === 'ok' });
    deferContinue(server.http);
    const refused = await pushBody(server.url, {
      path: '/attachments/',
      headers: { expect: '100-continue', 'x-key': 'no' },
      maxBytes: 8 * MiB,
      waitForContinue: true,
    });
    expect(refused.head.slice(0, 12)).toBe('HTTP/1.1 403');
    expect(refused.written, 'no body was sent').toBe(0);
    expect(refused.closedByServer).toBe(true);

    const allowed = await pushBody(server.url, {
      path: '/attachments/',
      headers: { expect: '100-continue', 'x-key': 'ok', connection: 'close' },
      maxBytes: 256 * 1024,
      waitForContinue: true,
    });
    expect(allowed.head.slice(0, 12)).toBe('HTTP/1.1 201');
    expect(JSON.parse(allowed.body).size).toBe(256 * 1024);
  });

  it('Expect: 100-continue with deferContinue: other routes still get their body', async () => {
    server = await startServer({}, {}, undefined, false, (app) => {
      app.post('/echo', currentExpress().text(), (req, res) => void res.send(`got ${req.body.length}`));
    });
    deferContinue(server.http);
    const res = await pushBody(server.url, {
      path: '/echo',
      headers: { expect: '100-continue', 'content-type': 'text/plain', connection: 'close' },
      maxBytes: 64 * 1024,
      waitForContinue: true,
    });
    expect(res.head.slice(0, 12)).toBe('HTTP/1.1 200');
    expect(res.body).toBe(`got ${64 * 1024}`);
  });
});
