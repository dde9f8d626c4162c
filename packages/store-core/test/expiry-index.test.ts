// The expiry index over a backend whose listing carries no metadata and sorts by UTF-8 bytes (S3's way), built on
// the memory backend: a fresh process reads per-write expiries from the index without a HEAD, the newest marker not
// newer than its object applies, superseded markers go, and a listing out of order falls back to HEADs.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Backend, ListOptions, ObjectInfo } from '../src/index.js';
import { createStore } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { stringBody } from './helpers.js';

const HOUR = 3_600_000;
const INDEX = '!att/expiry/';

/** `inner` seen as S3 shows it: no metadata in listings, UTF-8 byte order (or the objects reversed), start-after. */
function s3Like(inner: Backend, order: 'bytes' | 'reversed' = 'bytes'): Backend & { heads: number } {
  const wrapped = {
    heads: 0,
    listsMetadata: false as const,
    put: inner.put.bind(inner),
    get: inner.get.bind(inner),
    async head(key: string, options?: { signal?: AbortSignal }) {
      wrapped.heads++;
      return inner.head(key, options);
    },
    delete: inner.delete.bind(inner),
    async *list(options: ListOptions = {}): AsyncIterable<ObjectInfo> {
      const all: ObjectInfo[] = [];
      for await (const info of inner.list({ prefix: options.prefix })) all.push(info);
      all.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
      // Only the objects' listing: the index (listed by prefix) stays in order.
      if (order === 'reversed' && options.prefix === undefined) all.reverse();
      const after = options.startAfter === undefined ? undefined : Buffer.from(options.startAfter);
      for (const { metadata: _, ...info } of all) {
        if (after && Buffer.compare(Buffer.from(info.key), after) <= 0) continue;
        yield info;
      }
    },
    cleanupIncomplete: inner.cleanupIncomplete.bind(inner),
  };
  return wrapped;
}

async function keysOf(backend: Backend, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of backend.list({ prefix })) keys.push(info.key);
  return keys.sort();
}

/** A Store whose first pass has started the index, and a clock to move; the epoch's millisecond is over. */
async function indexedStore(memory: Backend) {
  const started = Date.now();
  const clock = { now: started };
  const store = createStore({ backend: s3Like(memory), expiry: HOUR, now: () => clock.now });
  await store.cleanup();
  await sleep(5);
  return { store, clock, started };
}

describe('expiry index', () => {
  it('a fresh process HEADs nothing: an earlier expiry goes, a later one protects, the default applies to the rest', async () => {
    const memory = createMemoryBackend();
    const { store, clock, started } = await indexedStore(memory);
    await store.write('early', stringBody('ten minutes'), { isNew: true, expiresAt: new Date(started + 600_000) });
    await store.write('late', stringBody('a day'), { isNew: true, expiresAt: new Date(started + 24 * HOUR) });
    await store.write('plain', stringBody('default'), { isNew: true });
    expect(await keysOf(memory, INDEX)).toHaveLength(3); // the epoch and two markers

    const fresh = s3Like(memory);
    const next = createStore({ backend: fresh, expiry: HOUR, now: () => clock.now });
    clock.now = started + 30 * 60_000;
    expect(await next.cleanup()).toMatchObject({ scanned: 3, expired: 1, errors: 0 });
    clock.now = started + 2 * HOUR;
    expect(await next.cleanup()).toMatchObject({ scanned: 2, expired: 1, errors: 0 });
    expect(fresh.heads, 'no HEAD: the index told every expiry').toBe(0);
    expect((await keysOf(memory)).filter((key) => !key.startsWith('!att/'))).toEqual(['late']);
    expect(await keysOf(memory, INDEX)).toEqual([`${INDEX}-since`, expect.stringMatching(/^!att\/expiry\/6c617465\./)]);
  });

  it('the newest marker not newer than the object applies; the superseded and the future ones are not obeyed', async () => {
    const memory = createMemoryBackend();
    const { store, clock, started } = await indexedStore(memory);
    await store.write('re', stringBody('a day'), { isNew: true, expiresAt: new Date(started + 24 * HOUR) });
    await sleep(5);
    await store.write('re', stringBody('then ten minutes'), { expiresAt: new Date(started + 600_000) });
    await store.write('kept', stringBody('a day'), { isNew: true, expiresAt: new Date(started + 24 * HOUR) });
    await sleep(5);
    // A rewrite of `kept` that wrote its marker and never its object (a crash): newer than the object, ignored.
    await memory.put(
      `${INDEX}${Buffer.from('kept').toString('hex')}.${String(started + 60_000).padStart(16, '0')}`,
      stringBody(''),
    );

    const fresh = s3Like(memory);
    const next = createStore({ backend: fresh, expiry: HOUR, now: () => clock.now });
    clock.now = started + 30 * 60_000;
    expect(await next.cleanup()).toMatchObject({ scanned: 2, expired: 1, errors: 0 });
    expect(fresh.heads).toBe(0);
    expect((await keysOf(memory)).filter((key) => !key.startsWith('!att/'))).toEqual(['kept']);
    const hexRe = Buffer.from('re').toString('hex');
    expect(
      (await keysOf(memory, INDEX)).filter((key) => key.includes(`/${hexRe}.`)),
      're took both markers',
    ).toEqual([]);
  });

  it('a listing out of byte order is noticed: what the index cannot match is HEADed, and nothing is lost', async () => {
    const memory = createMemoryBackend();
    const { store, clock, started } = await indexedStore(memory);
    for (const id of ['a1', 'b2', 'c3', 'd4']) {
      await store.write(id, stringBody(id), { isNew: true, expiresAt: new Date(started + 24 * HOUR) });
    }
    await store.write('e5', stringBody('default'), { isNew: true });
    const reversed = s3Like(memory, 'reversed');
    const next = createStore({ backend: reversed, expiry: HOUR, now: () => clock.now });
    clock.now = started + 2 * HOUR;
    expect(await next.cleanup()).toMatchObject({ scanned: 5, expired: 1, errors: 0 });
    expect(reversed.heads, 'the first id matched, the rest asked').toBe(4);
    expect((await keysOf(memory)).filter((key) => !key.startsWith('!att/'))).toEqual(['a1', 'b2', 'c3', 'd4']);
    expect(await keysOf(memory, INDEX), 'every kept object keeps its marker').toHaveLength(5);
  });
});
