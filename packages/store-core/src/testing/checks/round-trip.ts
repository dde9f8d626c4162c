import { Readable } from 'node:stream';
import {
  asNodeReadable,
  asWebStream,
  bytes,
  chunked,
  expectAttError,
  getBytes,
  KiB,
  listAll,
  MiB,
  readBody,
  sha256,
} from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function roundTripChecks(h: Harness): void {
  const { timeout } = h.options;
  const sizes: Array<[string, number, boolean]> = [
    ['0 B', 0, true],
    ['0 B of unknown length', 0, false],
    ['1 B', 1, true],
    ['64 KiB', 64 * KiB, true],
    ['64 KiB of unknown length', 64 * KiB, false],
  ];
  if (h.options.largeBodies) {
    sizes.push(['6 MiB of unknown length', 6 * MiB, false], ['12 MiB', 12 * MiB, true]);
    sizes.push(['12 MiB of unknown length', 12 * MiB + 7, false]);
  }
  for (const [label, size, declared] of sizes) {
    it(`stores and returns ${label} unchanged`, { timeout }, () =>
      h.use(async (backend, key) => {
        const k = key(`body-${size}`);
        const data = bytes(size);
        const put = await backend.put(k, chunked(data), declared ? { size } : {});
        expect(put.size, `put() reported size ${put.size} for a ${size}-byte body`).toBe(size);
        const { info, body } = await backend.get(k);
        expect(body, 'get() must return a Node Readable').toBeInstanceOf(Readable);
        const got = await readBody(body);
        expect(got.length, `get() returned ${got.length} bytes, ${size} were stored`).toBe(size);
        expect(sha256(got) === sha256(data), `get() returned altered bytes for ${label}`).toBe(true);
        expect(info.size, 'get() info.size must be the object size').toBe(size);
        expect(info.key, 'get() info.key must be the key').toBe(k);
        const head = await backend.head(k);
        expect(head.size, 'head() size must equal the stored bytes').toBe(size);
      }),
    );
  }

  it('accepts Node Readable and web ReadableStream bodies', { timeout }, () =>
    h.use(async (backend, key) => {
      const data = bytes(200 * KiB + 3);
      await backend.put(key('node'), asNodeReadable(data));
      await backend.put(key('web'), asWebStream(data));
      expect(sha256(await getBytes(backend, key('node'))), 'Node Readable body altered').toBe(sha256(data));
      expect(sha256(await getBytes(backend, key('web'))), 'web ReadableStream body altered').toBe(sha256(data));
    }),
  );

  it('head() reports key, size and a valid lastModified', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('head');
      await backend.put(k, chunked(bytes(1234)));
      const info = await backend.head(k);
      expect(info.key).toBe(k);
      expect(info.size).toBe(1234);
      expect(info.lastModified, 'lastModified must be a Date').toBeInstanceOf(Date);
      expect(Number.isNaN(info.lastModified.getTime()), 'lastModified must be a valid date').toBe(false);
    }),
  );

  it('overwriting a key returns only the new bytes, size and metadata', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('overwrite');
      const first = bytes(100 * KiB);
      const second = bytes(300);
      await backend.put(k, chunked(first), { contentType: 'text/plain', metadata: { one: '1', shared: 'old' } });
      await backend.head(k);
      await backend.put(k, chunked(second), { contentType: 'image/png', metadata: { two: '2', shared: 'new' } });
      const got = await getBytes(backend, k);
      expect(got.length, 'stale data after overwrite: wrong length').toBe(300);
      expect(sha256(got), 'stale data after overwrite: old bytes returned').toBe(sha256(second));
      const head = await backend.head(k);
      expect(head.size, 'stale size after overwrite').toBe(300);
      expect(head.contentType, 'stale content type after overwrite').toBe('image/png');
      expect(head.metadata, 'stale metadata after overwrite').toEqual({ two: '2', shared: 'new' });
      const listed = await listAll(backend, k);
      expect(
        listed.map((info) => [info.key, info.size]),
        'listing after overwrite',
      ).toEqual([[k, 300]]);
    }),
  );

  it('missing keys throw NOT_FOUND from get() and head()', { timeout }, () =>
    h.use(async (backend, key) => {
      await expectAttError(backend.get(key('never-written')), 'NOT_FOUND', 'get() of a missing key');
      await expectAttError(backend.head(key('never-written')), 'NOT_FOUND', 'head() of a missing key');
    }),
  );

  it('delete() is idempotent and resolves to nothing', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('delete-me');
      await backend.put(k, chunked(bytes(10)));
      expect(await backend.delete([k]), 'delete() must resolve to undefined').toBeUndefined();
      await expectAttError(backend.head(k), 'NOT_FOUND', 'head() after delete');
      await expectAttError(backend.get(k), 'NOT_FOUND', 'get() after delete');
      expect(await backend.delete([k]), 'deleting a deleted key must succeed').toBeUndefined();
      expect(await backend.delete([]), 'deleting no keys must succeed').toBeUndefined();
      const keep = key('keep');
      await backend.put(keep, chunked(bytes(5)));
      await backend.put(k, chunked(bytes(5)));
      await backend.delete([k, key('missing-1'), key('missing-2')]);
      await expectAttError(backend.head(k), 'NOT_FOUND', 'head() after a mixed delete');
      expect((await backend.head(keep)).size, 'delete() removed a key it was not given').toBe(5);
    }),
  );

  it('cleanupIncomplete() never removes complete objects', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('complete');
      await backend.put(k, chunked(bytes(2048)));
      const removed = await backend.cleanupIncomplete(new Date());
      expect(Number.isInteger(removed) && removed >= 0, `cleanupIncomplete() returned ${removed}`).toBe(true);
      expect((await backend.head(k)).size, 'a complete object disappeared in cleanupIncomplete()').toBe(2048);
    }),
  );
}
