import { createStore } from '../../store/store.js';
import { expect, it } from '../vitest.js';
import { body, codeOf, manualClock, type StoreHarness, silentLogger } from './support.js';

const HOUR = 3_600_000;

export function lifecycleChecks(h: StoreHarness): void {
  const { timeout } = h;

  it('expired attachments read as NOT_FOUND at once and cleanup deletes them', { timeout }, () => {
    const clock = manualClock();
    return h.use({ expiry: 60_000, now: clock.now }, async (store, backend, id) => {
      await store.write(id('soon'), body(400));
      await store.write(id('later'), body(600), { expiresAt: new Date(clock.now() + 10 * 60_000) });
      expect((await store.stat(id('soon'))).size).toBe(400);
      clock.advance(60_000);
      expect(await codeOf(store.stat(id('soon')))).toBe('NOT_FOUND');
      expect(await codeOf(store.read(id('soon')))).toBe('NOT_FOUND');
      expect(await codeOf(store.read(id('soon'), { range: { start: 5000 } }))).toBe('NOT_FOUND');
      expect(await codeOf(store.read(id('later'), { range: { start: 5000 } }))).toBe('RANGE_NOT_SATISFIABLE');
      expect((await store.stat(id('later'))).size).toBe(600);
      const result = await store.cleanup();
      expect(result).toMatchObject({ expired: 1, orphans: 0, bytesFreed: 400, errors: 0 });
      expect(await codeOf(backend.head(id('soon')))).toBe('NOT_FOUND');
      expect(store.size).toBe(600);
    });
  });

  it('expiry 0 expires at once', { timeout }, () =>
    h.use({ expiry: 0 }, async (store, _backend, id) => {
      const att = await store.write(id('gone'), body(10));
      expect(att.expiresAt!.getTime()).toBe(att.createdAt.getTime());
      expect(await codeOf(store.stat(id('gone')))).toBe('NOT_FOUND');
    }),
  );

  it('cleanup deletes unreferenced objects older than the grace period, page by page', { timeout }, () => {
    const clock = manualClock();
    const pages: string[][] = [];
    const referenced = new Set<string>();
    const isReferenced = async (ids: string[]) => {
      pages.push(ids);
      return ids.filter((x) => referenced.has(x));
    };
    return h.use({ isReferenced, now: clock.now, pageSize: 3 }, async (store, backend, id) => {
      const ids = Array.from({ length: 7 }, (_, i) => id(`o${i}`));
      for (const x of ids) await store.write(x, body(100));
      referenced.add(ids[0]!).add(ids[3]!);
      const young = await store.cleanup();
      expect(young, 'young orphans must survive the grace period').toMatchObject({ orphans: 0, errors: 0 });
      expect(pages, 'young objects must not even be asked about').toEqual([]);
      clock.advance(HOUR + 1);
      const result = await store.cleanup();
      expect(result).toMatchObject({ scanned: 7, orphans: 5, bytesFreed: 500, errors: 0 });
      expect(
        pages.every((page) => page.length <= 3),
        'pages must respect pageSize',
      ).toBe(true);
      expect(pages.flat().sort()).toEqual([...ids].sort());
      for (const x of ids) {
        expect(await codeOf(backend.head(x)), x).toBe(referenced.has(x) ? 'resolved' : 'NOT_FOUND');
      }
      expect(store.size).toBe(200);
    });
  });

  it('a failing isReferenced page is logged and skipped; the pass goes on', { timeout }, () => {
    const clock = manualClock();
    const logger = silentLogger();
    let calls = 0;
    const isReferenced = async (ids: string[]) => {
      calls += 1;
      if (calls === 2) throw new Error('database unavailable');
      return ids.filter(() => false);
    };
    return h.use({ isReferenced, now: clock.now, pageSize: 2, logger }, async (store, backend, id) => {
      const ids = Array.from({ length: 6 }, (_, i) => id(`f${i}`));
      for (const x of ids) await store.write(x, body(10));
      clock.advance(2 * HOUR);
      const result = await store.cleanup();
      expect(result).toMatchObject({ orphans: 4, errors: 1, bytesFreed: 40 });
      expect(logger.messages.join('\n')).toContain('isReferenced');
      let left = 0;
      for (const x of ids) if ((await codeOf(backend.head(x))) === 'resolved') left += 1;
      expect(left, 'the failing page must keep its objects').toBe(2);
      expect(store.size).toBe(20);
    });
  });

  it('sync() recomputes the size from the backend, also while writes run', { timeout }, () =>
    h.use({}, async (store, backend, id) => {
      for (let i = 0; i < 5; i++) await store.write(id(`s${i}`), body(1000));
      const fresh = createStore({ backend, idPattern: new RegExp(`^${id('')}`) });
      expect(fresh.size).toBe(0);
      expect(await fresh.sync()).toEqual({ objects: 5, bytes: 5000 });
      expect(fresh.size).toBe(5000);
      const writes = Array.from({ length: 20 }, (_, i) => fresh.write(id(`w${i}`), body(100 + i)));
      const removal = fresh.remove(id('s0'));
      await Promise.all([fresh.sync(), ...writes, removal]);
      const expected = 4000 + Array.from({ length: 20 }, (_, i) => 100 + i).reduce((a, b) => a + b);
      expect(fresh.size, 'size drifted when sync() raced with writes').toBe(expected);
      expect((await fresh.sync()).bytes).toBe(expected);
      await fresh.remove(...Array.from({ length: 20 }, (_, i) => id(`w${i}`)));
      await fresh.close();
    }),
  );

  it('startCleanup() runs passes one at a time and close() stops them', { timeout }, () => {
    let running = 0;
    let overlapped = false;
    let passes = 0;
    let enough!: () => void;
    const reached = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const isReferenced = async (ids: string[]) => {
      running += 1;
      overlapped ||= running > 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return ids;
    };
    const clock = manualClock();
    clock.advance(2 * HOUR);
    return h.use({ isReferenced, now: clock.now, orphanGracePeriod: 0 }, async (store, _backend, id) => {
      await store.write(id('kept'), body(10));
      const cleanup = store.cleanup.bind(store);
      store.cleanup = async () => {
        const result = await cleanup();
        passes += 1;
        if (passes === 3) enough();
        return result;
      };
      store.startCleanup(0);
      store.startCleanup(0);
      await reached;
      await store.close();
      const after = passes;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(passes, 'a pass ran after close()').toBe(after);
      expect(overlapped, 'two cleanup passes overlapped').toBe(false);
    });
  });
}
