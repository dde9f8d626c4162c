import { bytes, chunked, inParallel, listAll } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function listingChecks(h: Harness): void {
  const { timeout } = h.options;

  if (h.options.manyKeys) {
    it('lists more than 1000 keys, each exactly once with its size', { timeout: Math.max(timeout, 300_000) }, () =>
      h.use(async (backend, key, prefixOf) => {
        const count = 1005;
        const keys = Array.from({ length: count }, (_, i) => key(`many/${String(i).padStart(5, '0')}`));
        await inParallel(count, 16, (i) => backend.put(keys[i]!, chunked(bytes(i % 7))));
        const prefix = prefixOf('many/');
        const seen = new Map<string, number>();
        for await (const info of backend.list({ prefix })) {
          expect(seen.has(info.key), `list() returned ${info.key} twice (paging bug?)`).toBe(false);
          seen.set(info.key, info.size);
        }
        expect(seen.size, `list() returned ${seen.size} of ${count} keys`).toBe(count);
        keys.forEach((k, i) => {
          expect(seen.get(k), `list() reported a wrong size for ${k}`).toBe(i % 7);
        });
      }),
    );
  }

  it('list({ prefix }) returns exactly the keys under the prefix', { timeout }, () =>
    h.use(async (backend, key, prefixOf) => {
      const names = ['p/a/1', 'p/a/2', 'p/ab', 'p/b/1', 'q'];
      for (const name of names) await backend.put(key(name), chunked(bytes(name.length)));
      const base = prefixOf('');
      const keysUnder = async (prefix: string) => (await listAll(backend, base + prefix)).map((i) => i.key).sort();
      expect(await keysUnder('p/a/'), 'prefix p/a/').toEqual([key('p/a/1'), key('p/a/2')]);
      expect(await keysUnder('p/a'), 'prefix p/a').toEqual([key('p/a/1'), key('p/a/2'), key('p/ab')]);
      expect(await keysUnder('p/'), 'prefix p/').toEqual([key('p/a/1'), key('p/a/2'), key('p/ab'), key('p/b/1')]);
      expect(await keysUnder('nothing-here/'), 'a prefix with no keys').toEqual([]);
      const listed = await listAll(backend, base);
      for (const info of listed) {
        expect(info.lastModified, `${info.key}: lastModified must be a Date`).toBeInstanceOf(Date);
        expect(info.size, `${info.key}: wrong size in listing`).toBe(info.key.length - base.length);
      }
    }),
  );

  it('list() works without arguments', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('listed-without-args');
      await backend.put(k, chunked(bytes(42)));
      let found: number | undefined;
      for await (const info of backend.list()) {
        if (info.key === k) {
          found = info.size;
          break;
        }
      }
      expect(found, 'list() without arguments did not return a stored key').toBe(42);
    }),
  );

  if (h.options.capabilities.unicodeKeys) {
    it('stores keys with spaces, reserved and non-ASCII characters', { timeout }, () =>
      h.use(async (backend, key) => {
        const k = key('späce ü+x=y,z@(1)&%20~é.txt');
        const data = bytes(321);
        await backend.put(k, chunked(data));
        expect((await backend.head(k)).key).toBe(k);
        const listed = await listAll(backend, k);
        expect(
          listed.map((i) => i.key),
          'the key must list exactly as written',
        ).toEqual([k]);
      }),
    );
  }
}
