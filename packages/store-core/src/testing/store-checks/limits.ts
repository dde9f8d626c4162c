import { isAttError } from '../../errors.js';
import { expect, it } from '../vitest.js';
import { body, codeOf, listedBytes, type StoreHarness } from './support.js';

export function limitChecks(h: StoreHarness): void {
  const { timeout } = h;

  it('200 parallel writes never push the total over the limit; size is the sum of what succeeded', { timeout }, () => {
    const limit = 150_000;
    return h.use({ totalSizeLimit: limit }, async (store, backend, id) => {
      let overshoot = 0;
      async function* watched(size: number) {
        for await (const chunk of body(size, 500)) {
          overshoot = Math.max(overshoot, store.size - limit);
          yield chunk;
        }
      }
      const sizes = Array.from({ length: 200 }, (_, i) => 1000 + ((i * 7919) % 2000));
      const ids = sizes.map((_, i) => id(`p${i}`));
      const results = await Promise.allSettled(sizes.map((size, i) => store.write(ids[i]!, watched(size))));
      let succeeded = 0;
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          expect(result.value.size, `write ${i} reported a wrong size`).toBe(sizes[i]);
          succeeded += sizes[i]!;
        } else {
          expect(isAttError(result.reason, 'QUOTA_EXCEEDED'), `write ${i}: ${String(result.reason)}`).toBe(true);
        }
      });
      expect(overshoot, 'the total went over the limit while writes were in flight').toBeLessThanOrEqual(0);
      expect(succeeded, 'some writes must fail against this limit').toBeLessThan(sizes.reduce((a, b) => a + b));
      expect(store.size, 'store.size must equal the sum of the successful writes').toBe(succeeded);
      expect(store.size).toBeLessThanOrEqual(limit);
      expect(store.remaining).toBe(limit - succeeded);
      expect(await listedBytes(backend, ids), 'the backend holds a different number of bytes').toBe(succeeded);
      expect((await store.sync()).bytes, 'sync() disagrees with the live count').toBe(succeeded);
    });
  });

  it('a write over the per-file limit stops, stores nothing and keeps size unchanged', { timeout }, () =>
    h.use({ fileSizeLimit: 10_000 }, async (store, backend, id) => {
      await store.write(id('small'), body(100));
      let pulled = 0;
      async function* endless() {
        for (let i = 0; i < 1000; i++) {
          pulled += 1;
          yield Buffer.alloc(1000);
        }
      }
      expect(await codeOf(store.write(id('big'), endless()))).toBe('TOO_LARGE');
      expect(pulled, 'the body was read past the limit').toBeLessThanOrEqual(12);
      expect(store.size).toBe(100);
      expect(await codeOf(backend.head(id('big')))).toBe('NOT_FOUND');
      expect(await codeOf(store.write(id('declared'), body(10), { size: 10_001 }))).toBe('TOO_LARGE');
    }),
  );

  it('replacing an id keeps the size exact, also under concurrent replacements', { timeout }, () =>
    h.use({}, async (store, backend, id) => {
      const same = id('same');
      await store.write(same, body(5000));
      await store.write(same, body(300));
      expect(store.size).toBe(300);
      await Promise.all([100, 7000, 2500, 1, 4000, 50].map((size) => store.write(same, body(size))));
      const stored = (await backend.head(same)).size;
      expect(store.size, 'size drifted after concurrent replacements').toBe(stored);
      expect((await store.stat(same)).size).toBe(stored);
      await store.remove(same);
      expect(store.size).toBe(0);
    }),
  );

  it('a failed replacement keeps the old attachment and its size', { timeout }, () =>
    h.use({ fileSizeLimit: 2000 }, async (store, _backend, id) => {
      const x = id('x');
      await store.write(x, body(1500), { contentType: 'text/plain' });
      expect(await codeOf(store.write(x, body(3000)))).toBe('TOO_LARGE');
      expect(store.size).toBe(1500);
      expect(await store.stat(x)).toMatchObject({ size: 1500, contentType: 'text/plain' });
    }),
  );

  it('aborted writes, failing bodies and size mismatches leave size unchanged and nothing stored', { timeout }, () =>
    h.use({ totalSizeLimit: 1_000_000 }, async (store, backend, id) => {
      await store.write(id('base'), body(777));
      const controller = new AbortController();
      async function* abortsMidway() {
        yield Buffer.alloc(4000);
        controller.abort();
        yield Buffer.alloc(4000);
      }
      expect(await codeOf(store.write(id('a'), abortsMidway(), { signal: controller.signal }))).toBe('ABORTED');
      const boom = new Error('client went away');
      async function* throws() {
        yield Buffer.alloc(4000);
        throw boom;
      }
      const failure = await store.write(id('b'), throws()).catch((err: unknown) => err);
      expect(failure === boom || (failure as Error).cause === boom, 'the body error must propagate').toBe(true);
      expect(await codeOf(store.write(id('c'), body(10), { size: 11 }))).toBe('SIZE_MISMATCH');
      expect(await codeOf(store.write(id('d'), body(12), { size: 11 }))).toBe('SIZE_MISMATCH');
      for (const name of ['a', 'b', 'c', 'd']) expect(await codeOf(backend.head(id(name)))).toBe('NOT_FOUND');
      expect(store.size).toBe(777);
      expect(store.remaining).toBe(1_000_000 - 777);
    }),
  );

  it('round-trips content type, UTF-8 file name and expiry through the backend', { timeout }, () =>
    h.use({ expiry: 3_600_000 }, async (store, _backend, id) => {
      const filename = 'Übersicht – 報告 🗂 "q3".xlsx';
      const written = await store.write(id('meta'), body(10), { contentType: 'application/vnd.ms-excel', filename });
      const stat = await store.stat(id('meta'));
      expect(stat).toEqual(written);
      expect(stat.filename).toBe(filename);
      expect(stat.expiresAt!.getTime() - stat.createdAt.getTime()).toBe(3_600_000);
      const read = await store.read(id('meta'));
      read.body.resume();
      expect(read.attachment).toEqual(written);
    }),
  );
}
