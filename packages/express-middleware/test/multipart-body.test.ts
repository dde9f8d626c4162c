// Multipart bodies through the whole middleware on a real server: file bytes that look like delimiters are
// stored intact, and a body that is truncated or framed with bare LFs is refused with nothing left behind.
import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { bytes, describeOnEachExpress, eventually, listKeys, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const boundary = 'att-b0undary';
const post = (body: Buffer | string, type = `multipart/form-data; boundary=${boundary}`) =>
  fetch(`${server.base}/`, { method: 'POST', body, headers: { 'content-type': type } });
const part = (name: string, filename: string, data: Buffer) =>
  Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n`),
    data,
    Buffer.from('\r\n'),
  ]);

describeOnEachExpress('multipart bodies', () => {
  it('file bytes holding CRLF, dashes and the boundary minus its last byte are stored byte for byte', async () => {
    server = await startServer();
    const lookalike = Buffer.from(`\r\n--${boundary.slice(0, -1)}\r\n--\r\n-`);
    const one = Buffer.concat([bytes(300 * 1024, 3), lookalike, bytes(70 * 1024, 4), lookalike]);
    const two = Buffer.concat([lookalike, bytes(5, 5)]);
    const res = await post(
      Buffer.concat([part('a', 'one.bin', one), part('b', 'two.bin', two), Buffer.from(`--${boundary}--\r\n`)]),
    );
    expect(res.status).toBe(201);
    const { files } = await res.json();
    expect(files.map((f: { size: number }) => f.size)).toEqual([one.length, two.length]);
    for (const [i, expected] of [one, two].entries()) {
      const down = Buffer.from(await (await fetch(files[i].url)).arrayBuffer());
      expect(down.equals(expected), `file ${i + 1} downloads as uploaded`).toBe(true);
    }
  });

  it('a body cut before its closing delimiter is 400 and stores nothing, even after a complete file', async () => {
    server = await startServer();
    const complete = part('a', 'one.bin', bytes(100 * 1024, 1));
    for (const body of [
      complete,
      Buffer.concat([complete, part('b', 'two.bin', bytes(10, 2)).subarray(0, 120)]),
      Buffer.concat([complete, Buffer.from(`--${boundary}-`)]),
    ]) {
      const res = await post(body);
      expect(res.status, `${body.length} bytes`).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/closing delimiter/);
    }
    expect(await listKeys(server.backend)).toEqual([]);
    expect(server.store.size).toBe(0);
  });

  it('bare-LF framing and a Content-Type without a usable boundary are 400 INVALID_REQUEST', async () => {
    server = await startServer();
    const lf = `--${boundary}\nContent-Disposition: form-data; name="a"; filename="a.txt"\n\nhello\n--${boundary}--\n`;
    const answers = [
      await post(lf),
      await post(part('a', 'a.txt', bytes(10)), 'multipart/form-data'),
      await post(part('a', 'a.txt', bytes(10)), `multipart/form-data; boundary=${'x'.repeat(71)}`),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('INVALID_REQUEST');
    }
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('a client that disconnects in its second file leaves no object: the first one is removed too', async () => {
    server = await startServer();
    const { hostname, port } = new URL(server.url);
    const req = http.request({
      host: hostname,
      port,
      path: '/attachments/',
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    req.on('error', () => {});
    req.write(part('a', 'one.bin', bytes(200 * 1024, 1)));
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="b"; filename="two.bin"\r\n\r\n`);
    for (let i = 0; i < 16; i++) {
      if (!req.write(bytes(64 * 1024, i))) await new Promise((r) => req.once('drain', r));
    }
    expect(await eventually(() => server.store.size > 200 * 1024, 5000), 'both files on their way').toBe(true);
    req.destroy();
    expect(await eventually(() => server.store.size === 0, 2000), 'store size given back').toBe(true);
    expect(await listKeys(server.backend)).toEqual([]);
  });
});
