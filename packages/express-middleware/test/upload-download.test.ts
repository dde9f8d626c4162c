import { afterEach, expect, it } from 'vitest';
import { bytes, describeOnEachExpress, eventually, listKeys, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function upload(body: Buffer, query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}/${query}`, { method: 'POST', body, headers });
  return { status: res.status, json: await res.json() };
}

describeOnEachExpress('upload and download', () => {
  it('raw upload answers one object with numeric size; GET streams the same bytes with full headers', async () => {
    server = await startServer({}, { expiry: 3 * 3600_000 });
    const data = bytes(100_000);
    const before = Date.now();
    const { status, json } = await upload(data, '?filename=report.bin');
    expect(status).toBe(201);
    expect(json).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
      url: `${server.base}/${json.id}`,
      name: 'report.bin',
      type: 'application/octet-stream',
      size: 100_000,
      expires: expect.any(Number),
    });
    expect(json.expires * 1000).toBeGreaterThanOrEqual(before + 3 * 3600_000 - 1000);

    const res = await fetch(json.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe('100000');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(Date.parse(res.headers.get('last-modified') ?? '')).not.toBeNaN();
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="report.bin"; filename*=UTF-8''report.bin`);
  });

  it('sniffs the type from the bytes, not the claimed Content-Type', async () => {
    server = await startServer();
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), bytes(200)]);
    const { json } = await upload(png, '', { 'content-type': 'text/html' });
    expect(json.type).toBe('image/png');
    expect(json.name).toBe('attachment.png');
  });

  it('multipart answers one shape, { files: [...], fields }, for one file or several, each streamed intact', async () => {
    server = await startServer();
    const a = bytes(70_000, 2);
    const b = bytes(30_000, 3);
    const one = new FormData();
    one.append('file', new Blob([a]), 'a.bin');
    const r1 = await fetch(`${server.base}/`, { method: 'POST', body: one });
    expect(r1.status).toBe(201);
    const j1 = await r1.json();
    expect(j1, 'one file is still a list').toMatchObject({ files: [{ name: 'a.bin', size: 70_000 }], fields: {} });

    const two = new FormData();
    two.append('file', new Blob([a]), 'a.bin');
    two.append('note', 'fields are kept');
    two.append('file', new Blob([b]), 'ü b.bin');
    const r2 = await fetch(`${server.base}/`, { method: 'POST', body: two });
    expect(r2.status).toBe(201);
    const { files: j2, fields } = await r2.json();
    expect(fields).toEqual({ note: 'fields are kept' });
    expect(j2.map((x: { name: string; size: number }) => [x.name, x.size])).toEqual([
      ['a.bin', 70_000],
      ['ü b.bin', 30_000],
    ]);
    for (const [entry, data] of [
      [j2[0], a],
      [j2[1], b],
    ] as const) {
      const got = Buffer.from(await (await fetch(entry.url)).arrayBuffer());
      expect(got.equals(data)).toBe(true);
    }
  });

  it('multipart without a file is a 400 (an empty file input does not count)', async () => {
    server = await startServer();
    // What a browser sends for a form with a text field and an empty file input.
    const body =
      '--b\r\nContent-Disposition: form-data; name="only"\r\n\r\na field\r\n' +
      '--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\n' +
      'Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n';
    const res = await fetch(`${server.base}/`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('INVALID_REQUEST');
  });

  it('ranges: 206 for a range and a suffix, 416 with Content-Range */SIZE, 304 for a matching ETag', async () => {
    server = await startServer();
    const data = bytes(1000, 4);
    const { json } = await upload(data);
    const part = await fetch(json.url, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(part.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(10, 20))).toBe(true);

    const suffix = await fetch(json.url, { headers: { range: 'bytes=-100' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 900-999/1000');
    expect(Buffer.from(await suffix.arrayBuffer()).equals(data.subarray(900))).toBe(true);

    const bad = await fetch(json.url, { headers: { range: 'bytes=1000-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */1000');
    expect((await bad.json()).error.code).toBe('RANGE_NOT_SATISFIABLE');

    const etag = (await fetch(json.url, { method: 'HEAD' })).headers.get('etag') as string;
    const cached = await fetch(json.url, { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
    expect((await cached.arrayBuffer()).byteLength).toBe(0);
    const stale = await fetch(json.url, { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(1000);
  });

  it('HEAD answers the headers from a backend head, never a get', async () => {
    server = await startServer();
    const { json } = await upload(bytes(5000));
    const gets = server.calls.get;
    const res = await fetch(json.url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('5000');
    expect(res.headers.get('etag')).toBeTruthy();
    expect(server.calls.get).toBe(gets);
    expect(server.calls.head).toBeGreaterThan(0);
    const missing = await fetch(`${server.base}/doesNotExist`, { method: 'HEAD' });
    expect(missing.status).toBe(404);
  });

  it('unknown and expired ids are 404 with the JSON envelope', async () => {
    server = await startServer({ expiry: 1 });
    const { json } = await upload(bytes(10));
    await new Promise((r) => setTimeout(r, 20));
    for (const url of [json.url, `${server.base}/nope`]) {
      const res = await fetch(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('DELETE is refused by default and works when authorize allows it', async () => {
    server = await startServer();
    const { json } = await upload(bytes(10));
    const denied = await fetch(json.url, { method: 'DELETE' });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.code).toBe('FORBIDDEN');
    expect((await fetch(json.url)).status).toBe(200);
    await server.close();

    server = await startServer({ authorize: (req, { action }) => action !== 'delete' || req.get('x-admin') === 'yes' });
    const second = await upload(bytes(10));
    expect((await fetch(second.json.url, { method: 'DELETE' })).status).toBe(403);
    const ok = await fetch(second.json.url, { method: 'DELETE', headers: { 'x-admin': 'yes' } });
    expect(ok.status).toBe(204);
    expect((await fetch(second.json.url)).status).toBe(404);
    expect(server.store.size).toBe(0);
  });

  it('DELETE answers 404 for an id that is not stored, 204 once for one that is (expired ones included)', async () => {
    server = await startServer({ authorize: () => true, expiry: 1 });
    const { json } = await upload(bytes(10));
    const missing = await fetch(`${server.base}/nope`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'attachment not found' } });
    await new Promise((r) => setTimeout(r, 20));
    expect((await fetch(json.url)).status).toBe(404); // expired: not served
    expect((await fetch(json.url, { method: 'DELETE' })).status).toBe(204); // but still stored until now
    expect((await fetch(json.url, { method: 'DELETE' })).status).toBe(404);
    expect(server.store.size).toBe(0);
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('active types are accepted and only ever downloaded as attachment with nosniff', async () => {
    server = await startServer();
    const { status, json } = await upload(Buffer.from('<!doctype html><script>alert(1)</script>'), '?filename=x.html');
    expect(status).toBe(201);
    expect(json.type).toMatch(/^text\/html/);
    const res = await fetch(json.url);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'));
    expect(svg.json.type).toBe('image/svg+xml');
    expect((await fetch(svg.json.url)).headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('active types claimed by the client, or named by the extension, are downloaded as attachment too', async () => {
    server = await startServer();
    const cases: [string, string, string][] = [
      ['application/javascript', 'alert(1)', 'a.txt'],
      ['text/html', 'hello', 'b'],
      ['application/rss+xml', '<rss></rss>', 'c'],
      ['text/xml', '<a/>', 'd'],
      ['text/plain', 'alert(1)', 'e.js'],
      ['application/octet-stream', 'hello', 'f.svg'],
    ];
    for (const [type, body, name] of cases) {
      const up = await fetch(`${server.base}/?filename=${name}`, {
        method: 'POST',
        body,
        headers: { 'content-type': type },
      });
      expect(up.status).toBe(201);
      const res = await fetch((await up.json()).url);
      expect(res.headers.get('content-disposition'), `${type} ${name}`).toMatch(/^attachment; /);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(body);
    }
    const plain = await upload(Buffer.from('just text'), '?filename=notes.txt');
    expect((await fetch(plain.json.url)).headers.get('content-disposition')).toMatch(/^inline; /);
  });

  it('onStored failing removes the upload and hands the error to the app (next)', async () => {
    server = await startServer({
      onStored: () => {
        throw new Error('database down');
      },
    });
    const res = await fetch(`${server.base}/`, { method: 'POST', body: bytes(1000) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ appError: 'Error: database down' });
    expect(await eventually(() => server.store.size === 0)).toBe(true);
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('multipart part names with filename* (RFC 5987) and UTF-8 are kept', async () => {
    server = await startServer();
    const boundary = 'b0undary';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nhello\r\n--${boundary}--\r\n`,
      ),
    ]);
    const res = await fetch(`${server.base}/`, {
      method: 'POST',
      body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.status).toBe(201);
    expect((await res.json()).files[0].name).toBe('€ rates.txt');
  });

  it('multipart filenames as FormData escapes them (%22, %0D, %0A): quotes kept, CR/LF stripped', async () => {
    server = await startServer();
    const form = new FormData();
    form.append('file', new Blob(['abc']), 'say "hi"\r\n.txt');
    const res = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    const [json] = (await res.json()).files;
    expect(json.name).toBe('say "hi".txt');
    const down = await fetch(json.url);
    expect(down.headers.get('content-disposition')).toBe(
      `inline; filename="say \\"hi\\".txt"; filename*=UTF-8''say%20%22hi%22.txt`,
    );
  });

  it('multipart filenames with raw control characters are refused 400 by the parser, nothing stored', async () => {
    server = await startServer();
    const form = new FormData();
    form.append('a', new Blob(['first']), 'm\u0001u\u007fl\u0007.txt');
    const res = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(res.status, 'control characters in part headers are refused').toBe(400);
    expect((await res.json()).error.code).toBe('INVALID_REQUEST');
    expect(await listKeys(server.backend)).toEqual([]);
    // A tab is allowed in a header and stays out of the stored name.
    const tab = new FormData();
    tab.append('b', new Blob(['second']), 'tab\there.txt');
    const ok = await fetch(`${server.base}/`, { method: 'POST', body: tab });
    expect(ok.status).toBe(201);
    expect((await ok.json()).files[0].name).toBe('tabhere.txt');
  });

  it('onStored sees each attachment before the answer', async () => {
    const seen: string[] = [];
    server = await startServer({ onStored: (a) => void seen.push(a.id) });
    const { json } = await upload(bytes(10));
    expect(seen).toEqual([json.id]);
  });
});
