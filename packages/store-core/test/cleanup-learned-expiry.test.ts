// Cleanup over a backend whose listing carries no metadata (like S3's): an object with a later per-write expiry is
// HEADed once, and later passes reuse what was learned instead of a HEAD per object per pass.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/index.js';
import { createStore } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { stringBody } from './helpers.js';

function listingWithoutMetadata(inner: Backend): Backend & { heads: number; maxInFlight: number } {
  let inFlight = 0;
  const wrapped = {
    heads: 0,
    maxInFlight: 0,
    put: inner.put.bind(inner),
    get: inner.get.bind(inner),
    async head(key: string, options?: { signal?: AbortSignal }) {
      wrapped.heads++;
      inFlight++;
      wrapped.maxInFlight = Math.max(wrapped.maxInFlight, inFlight);
      try {
        // A turn of the event loop, as a network answer takes: the listing (promise jobs only) runs meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        return await inner.head(key, options);
      } finally {
        inFlight--;
      }
    },
    delete: inner.delete.bind(inner),
    async *list(options?: Parameters<Backend['list']>[0]) {
      for await (const info of inner.list(options)) {
        const { metadata: _, ...rest } = info;
        yield rest;
      }
    },
    cleanupIncomplete: inner.cleanupIncomplete.bind(inner),
  };
  return wrapped;
}

describe('cleanup learns per-write expiries once', () => {
  it('heads an object with a later expiresAt on the first pass only, and never deletes it early', async () => {
    const backend = listingWithoutMetadata(createMemoryBackend());
    let now = Date.now();
    const store = createStore({ backend, expiry: 1_000, now: () => now });
    await store.write('long', stringBody('keep me'), { expiresAt: new Date(now + 3_600_000) });
    await store.write('short', stringBody('expire me'));
    now += 5_000;
    const first = await store.cleanup();
    expect(first.expired, 'the default-expiry object goes').toBe(1);
    const headsAfterFirst = backend.heads;
    await store.cleanup();
    await store.cleanup();
    expect(backend.heads, 'no HEAD for what the first pass learned').toBe(headsAfterFirst);
    expect((await store.stat('long')).size).toBe(7);
    await store.close();
  });
});

describe('cleanup honours per-write expiries the listing cannot show', () => {
  it('deletes an object whose expiresAt passed on a store without a default expiry, and keeps the rest', async () => {
    const backend = listingWithoutMetadata(createMemoryBackend());
    let now = Date.now();
    const store = createStore({ backend, now: () => now });
    await store.write('brief', stringBody('gone soon'), { expiresAt: new Date(now + 1_000) });
    await store.write('forever', stringBody('stays'));
    now += 5_000;
    const result = await store.cleanup();
    expect(result).toMatchObject({ scanned: 2, expired: 1, errors: 0 });
    await expect(store.stat('brief')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(store.size).toBe('stays'.length);
    const heads = backend.heads;
    await store.cleanup();
    expect(backend.heads, 'the object that never expires is not asked again').toBe(heads);
    await store.close();
  });

  it('deletes at an expiresAt earlier than the default expiry, not at the default', async () => {
    const backend = listingWithoutMetadata(createMemoryBackend());
    let now = Date.now();
    const store = createStore({ backend, expiry: 3_600_000, now: () => now });
    await store.write('narrow', stringBody('one minute'), { expiresAt: new Date(now + 60_000) });
    await store.write('default', stringBody('one hour'));
    now += 30_000;
    expect((await store.cleanup()).expired, 'nothing is due yet').toBe(0);
    now += 60_000;
    const due = await store.cleanup();
    expect(due.expired, 'the learned expiry is used on a later pass').toBe(1);
    await expect(store.stat('narrow')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await store.stat('default')).size).toBe('one hour'.length);
    await store.close();
  });
});

describe('cleanup HEADs run side by side, bounded', () => {
  it('confirms 40 guessed expiries with at most 8 HEADs in flight, each object asked once, none deleted early', async () => {
    const backend = listingWithoutMetadata(createMemoryBackend());
    let now = Date.now();
    const store = createStore({ backend, expiry: 1_000, now: () => now, pageSize: 7 });
    for (let i = 0; i < 40; i++) {
      const later = i % 2 === 0 ? { expiresAt: new Date(now + 3_600_000) } : {};
      await store.write(`id${String(i).padStart(2, '0')}`, stringBody(`body ${i}`), later);
    }
    now += 5_000;
    backend.heads = 0;
    backend.maxInFlight = 0;
    const result = await store.cleanup();
    expect(backend.heads, 'one HEAD per object that looked expired by its age').toBe(40);
    expect(backend.maxInFlight, 'HEADs overlap').toBeGreaterThan(1);
    expect(backend.maxInFlight, 'but never more than 8 at once').toBeLessThanOrEqual(8);
    expect(result.expired, 'the default-expiry half goes, in pages of 7').toBe(20);
    const left: string[] = [];
    for await (const info of backend.list()) left.push(info.key);
    expect(left.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `id${String(i * 2).padStart(2, '0')}`));
    expect(store.size, 'the size is what is left').toBe(
      left.reduce((n, id) => n + `body ${Number(id.slice(2))}`.length, 0),
    );
    await store.close();
  });
});
