/**
 * Objects live in the storage, not in the backend instance: what one instance writes, another (a restarted
 * process, a second server) reads, lists and deletes. Caches and indexes kept per instance break this.
 */
import { bytes, chunked, expectAttError, getBytes, KiB, listAll, sha256 } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function sharedStorageChecks(h: Harness): void {
  const { timeout } = h.options;

  it('an object written through one instance is read, listed and deleted through another', { timeout }, () =>
    h.use(async (first, key, prefixOf) => {
      const written = key('shared/by-first');
      const data = bytes(70 * KiB + 1);
      await first.put(written, chunked(data), { contentType: 'image/png', metadata: { from: 'first' } });
      const second = await h.create();
      try {
        const head = await second.head(written);
        expect([head.size, head.contentType, head.metadata], 'head() through a second instance').toEqual([
          data.length,
          'image/png',
          { from: 'first' },
        ]);
        expect(sha256(await getBytes(second, written)), 'get() through a second instance').toBe(sha256(data));
        const other = key('shared/by-second');
        await second.put(other, chunked(bytes(5)));
        expect((await first.head(other)).size, "the first instance cannot see the second's object").toBe(5);
        const listed = (await listAll(second, prefixOf('shared/'))).map((info) => info.key).sort();
        expect(listed, 'list() through a second instance').toEqual([written, other].sort());
        await second.delete([written]);
        await expectAttError(first.head(written), 'NOT_FOUND', 'head() after another instance deleted the key');
        await expectAttError(first.get(written), 'NOT_FOUND', 'get() after another instance deleted the key');
      } finally {
        await second.close?.();
      }
    }),
  );
}
