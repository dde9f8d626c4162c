import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { createStore, STORE_CHANNELS, type StoreEventMap, type StoreEventName } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { bodyOf, codeOf, filled, recordingLogger, stringBody } from './helpers.js';

type Recorded = { [K in StoreEventName]: StoreEventMap[K][] };

/** Every event a Store emits, through `store.on`. */
function record(store: ReturnType<typeof createStore>): Recorded {
  const seen: Recorded = { write: [], writeFailed: [], remove: [], expire: [], cleanup: [], sync: [] };
  for (const name of Object.keys(seen) as StoreEventName[]) {
    store.on(name, (event) => (seen[name] as unknown[]).push(event));
  }
  return seen;
}

describe('Store events', () => {
  it('reports a write with its id and size, and a removal with the size it freed', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    const seen = record(store);
    await store.write('a1', bodyOf(filled(2500)));
    expect(seen.write, 'one write event').toHaveLength(1);
    expect(seen.write[0]).toMatchObject({ id: 'a1', size: 2500 });
    expect(seen.write[0]?.durationMs).toBeGreaterThanOrEqual(0);
    await store.remove('a1', 'never-written');
    expect(seen.remove, 'missing ids are no removal').toEqual([{ id: 'a1', size: 2500, reason: 'request' }]);
    expect(seen.writeFailed).toEqual([]);
  });

  it('reports failed writes with their code and the bytes read before the failure', async () => {
    const store = createStore({ backend: createMemoryBackend(), fileSizeLimit: 1500, totalSizeLimit: 3000 });
    const seen = record(store);
    // Undeclared length: stopped at the chunk that crosses the limit.
    expect(await codeOf(store.write('big', bodyOf(filled(5000), 1000)))).toBe('TOO_LARGE');
    // Declared length over the limit: refused before any byte.
    expect(await codeOf(store.write('declared', bodyOf(filled(2000)), { size: 2000 }))).toBe('TOO_LARGE');
    await store.write('fits', bodyOf(filled(1500)));
    await store.write('fits2', bodyOf(filled(1500)));
    expect(await codeOf(store.write('full', stringBody('x'), { size: 1 }))).toBe('QUOTA_EXCEEDED');
    // An invalid id is refused before there is a write to report (its text may be anything a client sent).
    expect(await codeOf(store.write('bad id!', stringBody('x')))).toBe('INVALID_ID');
    expect(seen.writeFailed.map(({ id, code, bytesReceived }) => ({ id, code, bytesReceived }))).toEqual([
      { id: 'big', code: 'TOO_LARGE', bytesReceived: 2000 },
      { id: 'declared', code: 'TOO_LARGE', bytesReceived: 0 },
      { id: 'full', code: 'QUOTA_EXCEEDED', bytesReceived: 0 },
    ]);
    expect(seen.write.map((e) => e.id)).toEqual(['fits', 'fits2']);
  });

  it('reports expiries, orphans and the pass result of a cleanup', async () => {
    let offset = 0;
    const store = createStore({
      backend: createMemoryBackend(),
      expiry: 60_000,
      now: () => Date.now() + offset,
      isReferenced: async (ids) => ids.filter((id) => id !== 'orphan'),
      orphanGracePeriod: 0,
    });
    const seen = record(store);
    await store.write('old', bodyOf(filled(400)));
    await store.write('orphan', bodyOf(filled(300)), { expiresAt: new Date(Date.now() + 3_600_000) });
    await store.write('kept', bodyOf(filled(200)), { expiresAt: new Date(Date.now() + 3_600_000) });
    offset = 61_000;
    const result = await store.cleanup();
    expect(seen.expire).toEqual([{ id: 'old', size: 400 }]);
    expect(seen.remove).toEqual([{ id: 'orphan', size: 300, reason: 'orphan' }]);
    expect(seen.cleanup, 'one pass event').toHaveLength(1);
    expect(seen.cleanup[0]).toMatchObject({ ...result, scanned: 3, expired: 1, orphans: 1, bytesFreed: 700 });
    expect(seen.sync.at(-1), 'the pass reconciled what it kept, without drift').toEqual({
      objects: 1,
      bytes: 200,
      drift: 0,
    });
  });

  it('reports the drift sync() found and corrected', async () => {
    const backend = createMemoryBackend();
    const store = createStore({ backend });
    const seen = record(store);
    await store.write('counted', bodyOf(filled(100)));
    // Written behind the Store's back: the total does not know it until a listing.
    await backend.put('uncounted', bodyOf(filled(700)), {});
    await store.sync();
    expect(seen.sync).toEqual([{ objects: 2, bytes: 800, drift: 700 }]);
    expect(store.size).toBe(800);
    await store.sync();
    expect(seen.sync[1]).toEqual({ objects: 2, bytes: 800, drift: 0 });
  });

  it('publishes the same events, with the store, on the att:store:* diagnostics channels', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    const other = createStore({ backend: createMemoryBackend() });
    const messages: unknown[] = [];
    const onMessage = (message: unknown) => messages.push(message);
    subscribe(STORE_CHANNELS.write, onMessage);
    try {
      await store.write('c1', bodyOf(filled(10)));
      await other.write('c2', bodyOf(filled(20)));
    } finally {
      unsubscribe(STORE_CHANNELS.write, onMessage);
    }
    await store.write('c3', bodyOf(filled(30)));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ id: 'c1', size: 10, store });
    expect(messages[1]).toMatchObject({ id: 'c2', size: 20, store: other });
  });

  it('stops calling a listener that left, and survives one that throws', async () => {
    const logger = recordingLogger();
    const store = createStore({ backend: createMemoryBackend(), logger });
    const sizes: number[] = [];
    const stop = store.on('write', (event) => sizes.push(event.size));
    store.on('write', () => {
      throw new Error('listener bug');
    });
    const att = await store.write('t1', bodyOf(filled(5)));
    expect(att.size, 'the write succeeds despite the throwing listener').toBe(5);
    stop();
    await store.write('t2', bodyOf(filled(6)));
    expect(sizes).toEqual([5]);
    expect(logger.messages.filter((m) => m.includes("store.on('write')"))).toHaveLength(2);
    expect(() => store.on('nope' as StoreEventName, () => {})).toThrow(TypeError);
  });
});
