/**
 * `delete(keys)` with many keys, some of them missing: every existing key goes, missing ones are no error, and
 * nothing else is touched. A backend that stops at the first miss (or at a batch's first error) fails here.
 */
import { bytes, chunked, expectAttError, inParallel, listAll } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function bulkDeleteChecks(h: Harness): void {
  const { timeout } = h.options;

  it('delete() of many keys with one missing removes every key that exists', { timeout }, () =>
    h.use(async (backend, key, prefixOf) => {
      const count = 40;
      const present = Array.from({ length: count }, (_, i) => key(`bulk/${String(i).padStart(2, '0')}`));
      await inParallel(count, 8, (i) => backend.put(present[i] as string, chunked(bytes(i + 1))));
      const keep = key('bulk/keep');
      await backend.put(keep, chunked(bytes(3)));
      // One missing key in the middle of the batch, with existing keys on both sides of it.
      const asked = [...present.slice(0, 17), key('bulk/never-written'), ...present.slice(17)];
      expect(await backend.delete(asked), 'delete() must resolve to undefined').toBeUndefined();
      for (const k of [present[0], present[16], present[17], present[count - 1]] as string[]) {
        await expectAttError(backend.head(k), 'NOT_FOUND', `head(${k}) after a delete with one missing key`);
      }
      const left = (await listAll(backend, prefixOf('bulk/'))).map((info) => info.key);
      expect(left, 'keys left after deleting many with one missing').toEqual([keep]);
    }),
  );
}
