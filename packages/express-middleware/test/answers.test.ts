import { afterEach, expect, it } from 'vitest';
import { bytes, describeOnEachExpress, listKeys, rawRequest, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describeOnEachExpress('upload answers', () => {
  it('without publicUrl the url is relative, whatever Host says; 201 has Location', async () => {
    server = await startServer({ publicUrl: undefined });
    const res = await rawRequest(server.url, {
      method: 'POST',
      path: '/attachments/',
      headers: { host: 'evil.example', 'content-type': 'application/octet-stream' },
      body: bytes(20),
    });
    expect(res.status).toBe(201);
    const json = JSON.parse(res.body.toString());
    expect(json.url, 'a forged Host must not shape the url').toBe(`/attachments/${json.id}`);
    expect(res.headers.location).toBe(json.url);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length']), 'Content-Length counts the body bytes').toBe(res.body.length);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag, 'a 201 carries no ETag (nothing to revalidate)').toBeUndefined();
  });

  it('with publicUrl the url is absolute under it, also for multipart', async () => {
    server = await startServer({ publicUrl: 'https://files.example.com/att/' });
    const raw = await fetch(`${server.base}/`, { method: 'POST', body: bytes(5), headers: { host: 'evil.example' } });
    const json = await raw.json();
    expect(json.url).toBe(`https://files.example.com/att/${json.id}`);
    expect(raw.headers.get('location')).toBe(json.url);
    const form = new FormData();
    form.append('f', new Blob([bytes(5)]), 'f.bin');
    const multi = await fetch(`${server.base}/`, { method: 'POST', body: form });
    const { files } = await multi.json();
    expect(multi.headers.get('location')).toBe(files[0].url);
  });

  it('an empty POST is 400, nothing stored, with and without Content-Length', async () => {
    server = await startServer();
    const withLength = await fetch(`${server.base}/`, { method: 'POST', body: '' });
    expect(withLength.status).toBe(400);
    expect((await withLength.json()).error.code).toBe('INVALID_REQUEST');
    const chunked = await fetch(`${server.base}/`, {
      method: 'POST',
      body: new ReadableStream({ start: (c) => c.close() }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(400);
    const bare = await rawRequest(server.url, { method: 'POST', path: '/attachments/' });
    expect(bare.status).toBe(400);
    expect(await listKeys(server.backend)).toEqual([]);
    expect(server.store.size).toBe(0);
  });

  it('Range with a 20-digit end is clamped to a 206 of the rest', async () => {
    server = await startServer();
    const data = bytes(1000);
    const { id } = await (await fetch(`${server.base}/`, { method: 'POST', body: data })).json();
    const res = await fetch(`${server.base}/${id}`, { headers: { range: 'bytes=0-99999999999999999999' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-999/1000');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    const tail = await fetch(`${server.base}/${id}`, { headers: { range: 'bytes=990-12345678901234567890' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
  });
});
