import { afterEach, expect, it } from 'vitest';
import type { FormFields } from '../src/index.js';
import { describeOnEachExpress, listKeys, startServer, type TestServer } from './fixture.js';
import { pushBody } from './wire.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const MiB = 1024 * 1024;

describeOnEachExpress('multipart fields', () => {
  it('text fields are returned and handed to onStored; repeated names give arrays', async () => {
    const seen: FormFields[] = [];
    server = await startServer({ onStored: (_a, _req, { fields }) => void seen.push(fields) });
    const form = new FormData();
    form.append('title', 'Holiday');
    form.append('tag', 'a');
    form.append('tag', 'b');
    form.append('file', new Blob(['x']), 'x.txt');
    const res = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.fields).toEqual({ title: 'Holiday', tag: ['a', 'b'] });
    expect(seen).toEqual([{ title: 'Holiday', tag: ['a', 'b'] }]);
  });

  it('fields over fieldsSizeLimit are 413 and nothing is stored', async () => {
    server = await startServer({ fieldsSizeLimit: 1000 });
    const form = new FormData();
    form.append('a', 'x'.repeat(600));
    form.append('b', 'y'.repeat(600));
    form.append('file', new Blob(['x']), 'x.txt');
    const res = await fetch(`${server.base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('TOO_LARGE');
    expect(await listKeys(server.backend)).toEqual([]);
  });

  it('a chunked 64 MiB field, preamble or epilogue is cut at the bound, never read to the end', async () => {
    server = await startServer();
    // pushBody's filler is 'a' bytes: inside a field value, as a preamble before any boundary, or after the
    // closing boundary.
    for (const where of ['field', 'preamble', 'epilogue'] as const) {
      const res = await pushBody(server.url, {
        path: '/attachments/',
        headers: { 'content-type': 'multipart/form-data; boundary=bnd' },
        maxBytes: 64 * MiB,
        prefix:
          where === 'field'
            ? '--bnd\r\nContent-Disposition: form-data; name="f"\r\n\r\n'
            : where === 'epilogue'
              ? '--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhi\r\n--bnd--\r\n'
              : '',
      });
      expect(res.head.slice(0, 12), where).toBe('HTTP/1.1 413');
      expect(res.written, `${where}: bytes read before the cut`).toBeLessThan(24 * MiB);
      expect(JSON.parse(res.body).error.code).toBe('TOO_LARGE');
    }
    expect(await listKeys(server.backend)).toEqual([]);
  });
});
