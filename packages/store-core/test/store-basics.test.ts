import { describe, expect, it } from 'vitest';
import { createStore, type Ledger, MemoryLedger } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { bodyOf, codeOf, filled, stringBody, text } from './helpers.js';

describe('Store basics', () => {
  it('writes, reads, stats and removes an attachment with exact sizes', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    expect(store.size).toBe(0);
    expect(store.remaining).toBe(Number.POSITIVE_INFINITY);
    const att = await store.write('abc', stringBody('hello world'), { contentType: 'text/plain', filename: 'hi.txt' });
    expect(att).toMatchObject({ id: 'abc', size: 11, contentType: 'text/plain', filename: 'hi.txt' });
    expect(att.createdAt).toBeInstanceOf(Date);
    expect(att.expiresAt).toBeUndefined();
    expect(store.size).toBe(11);
    const read = await store.read('abc');
    expect(await text(read.body)).toBe('hello world');
    expect(read.attachment).toEqual(att);
    expect(read.range).toBeUndefined();
    expect(await store.stat('abc')).toEqual(att);
    await store.remove('abc');
    expect(store.size).toBe(0);
    expect(await codeOf(store.stat('abc'))).toBe('NOT_FOUND');
    expect(await codeOf(store.read('abc'))).toBe('NOT_FOUND');
  });

  it('round-trips UTF-8 file names through ASCII-only metadata', async () => {
    const backend = createMemoryBackend();
    const store = createStore({ backend });
    const filename = 'Résumé – 履歴書 📎 "final".pdf';
    await store.write('utf8', stringBody('x'), { filename });
    expect((await store.stat('utf8')).filename).toBe(filename);
    const raw = await backend.head('utf8');
    for (const value of Object.values(raw.metadata ?? {})) expect(value).toMatch(/^[\x20-\x7e]*$/);
  });

  it('reads inclusive ranges and reports RANGE_NOT_SATISFIABLE', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    await store.write('r', stringBody('0123456789'));
    const { body, range, attachment } = await store.read('r', { range: { start: 2, end: 4 } });
    expect(await text(body)).toBe('234');
    expect(range).toEqual({ start: 2, end: 4 });
    expect(attachment.size).toBe(10);
    expect(await codeOf(store.read('r', { range: { start: 10 } }))).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('rejects invalid ids before touching the backend', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    for (const id of ['', '../x', 'a/b', 'a b', 'x'.repeat(129), 'ü', 'a\0b']) {
      expect(await codeOf(store.write(id, stringBody('x'))), id).toBe('INVALID_ID');
      expect(await codeOf(store.read(id)), id).toBe('INVALID_ID');
    }
    await store.write('ok', stringBody('x'));
    expect(await codeOf(store.remove('ok', '../bad'))).toBe('INVALID_ID');
    expect((await store.stat('ok')).size).toBe(1);
  });

  it('enforces the per-file limit live and before reading a declared size', async () => {
    const store = createStore({ backend: createMemoryBackend(), fileSizeLimit: 5000 });
    expect(await codeOf(store.write('big', bodyOf(filled(6000))))).toBe('TOO_LARGE');
    expect(store.size).toBe(0);
    expect(await codeOf(store.stat('big'))).toBe('NOT_FOUND');
    let pulled = 0;
    async function* counting() {
      pulled += 1;
      yield filled(10);
    }
    expect(await codeOf(store.write('declared', counting(), { size: 5001 }))).toBe('TOO_LARGE');
    expect(pulled).toBe(0);
    expect(await codeOf(store.write('limit', bodyOf(filled(200)), { limit: 100 }))).toBe('TOO_LARGE');
    expect((await store.write('fits', bodyOf(filled(5000)))).size).toBe(5000);
    expect(store.size).toBe(5000);
  });

  it('enforces the total limit and keeps remaining exact', async () => {
    const store = createStore({ backend: createMemoryBackend(), totalSizeLimit: 10_000 });
    await store.write('a', bodyOf(filled(6000)));
    expect(store.remaining).toBe(4000);
    expect(await codeOf(store.write('b', bodyOf(filled(5000))))).toBe('QUOTA_EXCEEDED');
    expect(await codeOf(store.write('c', bodyOf(filled(10)), { size: 4001 }))).toBe('QUOTA_EXCEEDED');
    expect(store.size).toBe(6000);
    await store.write('d', bodyOf(filled(4000)));
    expect(store.remaining).toBe(0);
  });

  it('replacing an id keeps the accounting exact', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    await store.write('same', bodyOf(filled(100)));
    await store.write('same', bodyOf(filled(50)));
    expect(store.size).toBe(50);
    await store.write('same', bodyOf(filled(70)));
    expect(store.size).toBe(70);
    await store.remove('same', 'same');
    expect(store.size).toBe(0);
  });

  it('remove resolves to the ids that were stored, once each, in the order given', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    await store.write('b', bodyOf(filled(3)));
    await store.write('a', bodyOf(filled(4)));
    expect(await store.remove('missing', 'b', 'a', 'b')).toEqual(['b', 'a']);
    expect(await store.remove('a')).toEqual([]);
    expect(store.size).toBe(0);
  });
});

describe('Store input checks', () => {
  it('rejects bodies that are not async iterables, bad content types and overlong file names', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    expect(await codeOf(store.write('a', Buffer.from('x') as never))).toBe('INVALID_REQUEST');
    expect(await codeOf(store.write('a', 'text' as never))).toBe('INVALID_REQUEST');
    expect(await codeOf(store.write('a', stringBody('x'), { contentType: 'text/plän' }))).toBe('INVALID_REQUEST');
    expect(await codeOf(store.write('a', stringBody('x'), { filename: '履'.repeat(120) }))).toBe('INVALID_REQUEST');
    expect((await store.write('a', stringBody('x'), { filename: '履'.repeat(100) })).filename).toBe('履'.repeat(100));
    expect(store.size).toBe(1);
  });

  it('rejects nonsense options with INVALID_CONFIG', () => {
    const backend = createMemoryBackend();
    for (const options of [
      { totalSizeLimit: -1 },
      { fileSizeLimit: Number.NaN },
      { expiry: Number.POSITIVE_INFINITY },
      { orphanGracePeriod: -5 },
      { pageSize: 0 },
      { idPattern: '^x$' as never },
    ]) {
      expect(() => createStore({ backend, ...options }), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG' }),
      );
    }
    expect(() => createStore({} as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('cleanup passes', () => {
  it('never overlap, also when called by hand', async () => {
    let running = 0;
    let most = 0;
    const isReferenced = async (ids: string[]) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running -= 1;
      return ids;
    };
    const store = createStore({ backend: createMemoryBackend(), isReferenced, orphanGracePeriod: 0 });
    await store.write('a', stringBody('x'));
    const results = await Promise.all([store.cleanup(), store.cleanup(), store.cleanup()]);
    expect(results.map((r) => r.scanned)).toEqual([1, 1, 1]);
    expect(most).toBe(1);
    await store.close();
    const afterClose = store.cleanup();
    expect(afterClose).toBeInstanceOf(Promise);
    await expect(afterClose).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('cleanup with listings that carry no metadata (like S3 ListObjectsV2)', () => {
  it('confirms a guessed expiry with head() before deleting', async () => {
    const inner = createMemoryBackend();
    const backend = {
      ...inner,
      async *list(options?: { prefix?: string }) {
        for await (const info of inner.list(options)) yield { ...info, metadata: undefined };
      },
    };
    let offset = 0;
    const store = createStore({ backend, expiry: 60_000, now: () => Date.now() + offset });
    await store.write('short', stringBody('aaaa'));
    await store.write('long', stringBody('bbbbbb'), { expiresAt: new Date(Date.now() + 3_600_000) });
    offset = 61_000;
    const result = await store.cleanup();
    expect(result).toMatchObject({ expired: 1, bytesFreed: 4, errors: 0 });
    expect((await store.stat('long')).size).toBe(6);
    expect(store.size).toBe(6);
  });
});

describe('a shared (asynchronous) Ledger', () => {
  it('keeps the total limit under concurrency when every reservation is a round trip', async () => {
    const inner = new MemoryLedger();
    let most = 0;
    const later = <T>(fn: () => Promise<T>) =>
      new Promise<T>((resolve, reject) => setImmediate(() => fn().then(resolve, reject)));
    // Stands in for Redis: atomic operations that answer later.
    const ledger: Ledger = {
      reserve: (holder, claims, ttl) =>
        later(async () => {
          const refused = await inner.reserve(holder, claims, ttl);
          const { committed, reserved } = await inner.usage('store');
          most = Math.max(most, committed + reserved);
          return refused;
        }),
      renew: (holders, ttl) => later(() => inner.renew(holders, ttl)),
      settle: (holder, keep) => later(() => inner.settle(holder, keep)),
      usage: (counter) => later(() => inner.usage(counter)),
      peek: (counter) => inner.peek(counter),
    };
    const store = createStore({ backend: createMemoryBackend(), totalSizeLimit: 20_000, ledger });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => store.write(`w${i}`, bodyOf(filled(1000 + i * 10), 250))),
    );
    const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.size] : []));
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    expect(most).toBeLessThanOrEqual(20_000);
    const total = stored.reduce((a, b) => a + b, 0);
    expect(store.size).toBe(total);
    expect(await store.usage()).toEqual({ bytes: total, reserved: 0 });
  });
});
