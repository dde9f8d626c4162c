import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/index.js';
import { AttError, createStore, isAttError, meter, readAll } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { bodyOf, filled } from './helpers.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A memory backend whose `head` answers late (or fails), to exercise the head that overlaps a write. */
function slowHead(delayMs: number, fail = false): Backend {
  const inner = createMemoryBackend();
  return {
    put: (key, body, options) => inner.put(key, body, options),
    get: (key, options) => inner.get(key, options),
    delete: (keys) => inner.delete(keys),
    list: (options) => inner.list(options),
    cleanupIncomplete: (olderThan) => inner.cleanupIncomplete(olderThan),
    async head(key) {
      await later(delayMs);
      if (fail) throw new AttError('BACKEND_UNAVAILABLE', 'head failed');
      return inner.head(key);
    },
  };
}

describe('Store.write learns the replaced size while the bytes stream', () => {
  it('accounts a replace exactly when the head answers after the whole body was read', async () => {
    const store = createStore({ backend: slowHead(30) });
    await store.write('a', bodyOf(filled(1000)));
    expect(store.size).toBe(1000);
    const replaced = await store.write('a', bodyOf(filled(3000)));
    expect(replaced.size).toBe(3000);
    expect(store.size).toBe(3000);
    await store.write('b', bodyOf(filled(500)));
    expect(store.size).toBe(3500);
    expect((await store.stat('a')).size).toBe(3000);
  });

  it('fails the write, stores nothing and charges nothing when that head fails', async () => {
    const store = createStore({ backend: slowHead(5, true) });
    const err = await store.write('a', bodyOf(filled(2000))).catch((e: unknown) => e);
    expect(isAttError(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(store.size).toBe(0);
    await expect(store.backend.get('a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('meter() over a metered body', () => {
  it('hands the body on as it is when nothing new is enforced, and wraps it otherwise', async () => {
    const signal = new AbortController().signal;
    const inner = meter(bodyOf(filled(3000)), { signal, expectedSize: 3000 });
    expect(meter(inner, { signal, expectedSize: 3000 })).toBe(inner);
    expect(meter(inner)).toBe(inner);
    expect((await readAll(meter(inner, { signal }))).length).toBe(3000);

    const stricter = meter(bodyOf(filled(3000)), { signal });
    const outer = meter(stricter, { signal, expectedSize: 2000 });
    expect(outer).not.toBe(stricter);
    const err = await readAll(outer).catch((e: unknown) => e);
    expect(isAttError(err, 'SIZE_MISMATCH')).toBe(true);
  });
});
