import { afterEach, expect, it } from 'vitest';
import { attachments } from '../src/index.js';
import { bytes, describeOnEachExpress, startServer, type TestServer } from './fixture.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const SECRET = 'an owner-delete secret of 32 bytes+';

describeOnEachExpress('owner delete', () => {
  it('ownerDelete: the 201 carries a deleteToken, and DELETE with it as Bearer succeeds', async () => {
    server = await startServer({ ownerDelete: true, ownerDeleteSecret: SECRET });
    const { id, url, deleteToken } = await (await fetch(`${server.base}/`, { method: 'POST', body: bytes(10) })).json();
    expect(deleteToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await (await fetch(`${server.base}/`, { method: 'POST', body: bytes(10) })).json();

    for (const authorization of [undefined, 'Bearer nope', `Bearer ${other.deleteToken}`, `Basic ${deleteToken}`]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const res = await fetch(url, { method: 'DELETE', headers });
      expect(res.status, `DELETE with ${authorization}`).toBe(403);
    }
    const ok = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${deleteToken}` } });
    expect(ok.status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(`${server.base}/${other.id}`)).status).toBe(200);
    expect(id).not.toBe(other.id);
  });

  it('multipart answers carry a token per file; without ownerDelete there is none', async () => {
    server = await startServer({ ownerDelete: true });
    const form = new FormData();
    form.append('a', new Blob([bytes(5)]), 'a.bin');
    form.append('b', new Blob([bytes(6)]), 'b.bin');
    const { files } = await (await fetch(`${server.base}/`, { method: 'POST', body: form })).json();
    expect(files.map((f: { deleteToken?: string }) => typeof f.deleteToken)).toEqual(['string', 'string']);
    await server.close();
    server = await startServer();
    const plain = await (await fetch(`${server.base}/`, { method: 'POST', body: bytes(5) })).json();
    expect(plain.deleteToken).toBeUndefined();
  });

  it('a short ownerDeleteSecret is an INVALID_CONFIG error naming the field', () => {
    server = undefined as unknown as TestServer;
    expect(() =>
      attachments({ store: { prepareWrite() {} } as never, ownerDelete: true, ownerDeleteSecret: 'short' }),
    ).toThrow(/ownerDeleteSecret/);
  });
});
