import { describe, expect, it } from 'vitest';
import { type Budget, createStore, MemoryLedger } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { bodyOf, codeOf, filled } from './helpers.js';

function setup(totalSizeLimit = 10_000) {
  const ledger = new MemoryLedger();
  const backend = createMemoryBackend();
  const store = createStore({ backend, totalSizeLimit, ledger });
  const budget = (keeps: Budget['keeps'], limit: number): Budget => ({
    ledger,
    counter: `visitor-${keeps}`,
    limit,
    keeps,
    refusal: { code: 'RATE_LIMITED', message: `visitor ${keeps} limit` },
  });
  return { ledger, backend, store, budget };
}

describe('uploads that outlive a request (tus, direct to the bucket)', () => {
  it('reserve counts against the total at once; finish turns the reservation into the object size', async () => {
    const { store, backend } = setup();
    await store.uploads.reserve('up1', { bytes: 6000, ttlMs: 60_000 });
    expect(store.size).toBe(6000);
    expect(await codeOf(store.write('other', bodyOf(filled(5000)))), 'the reserved space is taken').toBe(
      'QUOTA_EXCEEDED',
    );
    const attachment = await store.uploads.finish('up1', async () => {
      await backend.put('up1', bodyOf(filled(5500)));
      return backend.head('up1');
    });
    expect(attachment.size).toBe(5500);
    expect(store.size).toBe(5500);
    expect(await store.usage()).toEqual({ bytes: 5500, reserved: 0 });
  });

  it('is refused before anything is reserved when a limit is short', async () => {
    const { store, budget } = setup();
    expect(await codeOf(store.uploads.reserve('big', { bytes: 10_001, ttlMs: 60_000 }))).toBe('QUOTA_EXCEEDED');
    expect(await codeOf(store.uploads.reserve('big', { bytes: 500, limit: 400, ttlMs: 60_000 }))).toBe('TOO_LARGE');
    const visitor = budget('stored', 100);
    expect(await codeOf(store.uploads.reserve('v', { bytes: 200, budgets: [visitor], ttlMs: 60_000 }))).toBe(
      'RATE_LIMITED',
    );
    expect(store.size).toBe(0);
  });

  it('grows a deferred length, renews, and frees everything when abandoned or left to expire', async () => {
    const { store, ledger } = setup();
    await store.uploads.reserve('deferred', { bytes: 1000, ttlMs: 60_000 });
    await store.uploads.reserve('deferred', { bytes: 2000, ttlMs: 60_000 });
    expect(store.size).toBe(3000);
    expect(await store.uploads.renew('deferred', 60_000)).toBe(true);
    await store.uploads.abandon('deferred');
    expect(store.size).toBe(0);

    await store.uploads.reserve('stalled', { bytes: 4000, ttlMs: 50 });
    expect((await ledger.usage('store')).reserved).toBe(4000);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await ledger.usage('store')).reserved, 'an upload nobody finishes frees its bytes').toBe(0);
    expect(await store.uploads.renew('stalled', 60_000), 'an expired reservation cannot be renewed').toBe(false);
  });

  it('a failing publish gives the reservation back; received bytes stay spent', async () => {
    const { store, ledger, budget } = setup();
    const bandwidth = budget('received', 1_000_000);
    await store.uploads.reserve('x', { bytes: 3000, budgets: [bandwidth], ttlMs: 60_000 });
    const failure = new Error('object missing');
    const err = await store.uploads
      .finish(
        'x',
        async () => {
          throw failure;
        },
        { budgets: [bandwidth], received: 3000 },
      )
      .catch((e: unknown) => e);
    expect(err).toBe(failure);
    expect(store.size).toBe(0);
    expect(await ledger.usage('visitor-received')).toEqual({ committed: 3000, reserved: 0 });
  });
});
