// Cleanup over a backend whose listing carries no metadata (like S3's): an object with a later per-write expiry is
// HEADed once, and later passes reuse what was learned instead of a HEAD per object per pass.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/index.js';
import { createStore } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { stringBody } from './helpers.js';

function listingWithoutMetadata(inner: Backend): Backend & { heads: number } {
  const wrapped = {
    heads: 0,
    put: inner.put.bind(inner),
    get: inner.get.bind(inner),
    head(key: string, options?: { signal?: AbortSignal }) {
      wrapped.heads++;
      return inner.head(key, options);
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
