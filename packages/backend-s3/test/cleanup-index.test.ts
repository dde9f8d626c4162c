// The expiry index on real servers: a write with its own expiresAt leaves a marker beside the objects, so the first
// cleanup pass of a fresh process (a restart, another instance of a fleet) knows every expiry without a HEAD — an
// earlier one is acted on, a later one protects the object — and markers go with their objects, on rewrites and
// removals too, whatever the id.
import { createStore, type Store } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { clientFor } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, s3Server } from './support/servers.js';

const HOUR = 3_600_000;
const EPOCH = '!att/expiry/-since';

async function* body(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

describe.each(['fauxqs', 'swift'] as const)('expiry index on %s', (name) => {
  const server = s3Server(name);
  let proxy: FaultProxy;
  let bucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket(server, `cleanup-index-${name}`);
    proxy = await startFaultProxy(server.endpoint);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** A Store on its own backend instance: nothing learned, as in a process that just started. */
  const freshStore = (prefix: string, now: () => number, extra: { idPattern?: RegExp } = {}): Store =>
    createStore({
      backend: s3Backend(clientFor(server, bucket, { endpoint: proxy.endpoint, prefix })),
      expiry: HOUR,
      now,
      ...extra,
    });

  /** The first pass starts the index; objects written after its epoch (by the server's clock) are covered. */
  async function startIndex(store: Store, prefix: string): Promise<void> {
    await store.cleanup();
    const epoch = await clientFor(server, bucket, { prefix }).headObject(EPOCH);
    // Whole-second servers: an object of the epoch's own second counts as older than the index.
    while (Date.now() <= epoch.lastModified.getTime() + 1000) await new Promise((r) => setTimeout(r, 50));
  }

  const objectsUnder = async (prefix: string) =>
    (await listAllKeys(server, bucket, prefix)).filter((key) => !key.startsWith(`${prefix}!att/`));
  const markersUnder = async (prefix: string) =>
    (await listAllKeys(server, bucket, `${prefix}!att/`)).filter((key) => key !== `${prefix}${EPOCH}`);

  it("the Store's keys stay out of the backend's listing unless asked for by prefix", async () => {
    const prefix = 'hidden/';
    const store = freshStore(prefix, Date.now);
    await startIndex(store, prefix);
    await store.write('shown', body('x'), { isNew: true, expiresAt: new Date(Date.now() + 2 * HOUR) });
    const keys = async (options = {}) => {
      const found = [];
      for await (const info of store.backend.list(options)) found.push(info.key);
      return found;
    };
    expect(await keys()).toEqual(['shown']);
    const hex = Buffer.from('shown').toString('hex');
    expect(await keys({ prefix: '!att/expiry/' })).toEqual([
      EPOCH,
      expect.stringMatching(`^!att/expiry/${hex}\\.\\d{16}$`),
    ]);
    await store.sync();
    expect(store.size).toBe(1);
    await store.close();
  });

  it('a fresh process HEADs nothing: earlier per-write expiries go, later ones stay, markers go with objects', async () => {
    const prefix = 'fresh/';
    const started = Date.now();
    let now = started;
    const writer = freshStore(prefix, () => now);
    await startIndex(writer, prefix);
    const ids = Array.from({ length: 24 }, (_, i) => `obj${String(i).padStart(2, '0')}`);
    const kindOf = (i: number) => (['later', 'earlier', 'default'] as const)[i % 3];
    for (const [i, id] of ids.entries()) {
      const kind = kindOf(i);
      const expiresAt = kind === 'later' ? { expiresAt: new Date(now + 24 * HOUR) } : {};
      if (kind === 'earlier') expiresAt.expiresAt = new Date(now + 10 * 60_000);
      await writer.write(id, body(`body-${i}`), { isNew: true, ...expiresAt });
    }
    await writer.close();
    expect((await markersUnder(prefix)).length, 'one marker per write with its own expiry').toBe(16);

    const fresh = freshStore(prefix, () => now);
    now = started + 30 * 60_000;
    const heads = proxy.count('HEAD');
    expect(await fresh.cleanup()).toMatchObject({ scanned: 24, expired: 8, errors: 0 });
    expect(proxy.count('HEAD') - heads, 'no HEAD on the first pass of a fresh process').toBe(0);
    const notEarlier = ids.filter((_, i) => kindOf(i) !== 'earlier').map((id) => prefix + id);
    expect(await objectsUnder(prefix)).toEqual(notEarlier);
    expect((await markersUnder(prefix)).length, 'the expired objects took their markers along').toBe(8);

    now = started + 2 * HOUR;
    expect(await fresh.cleanup()).toMatchObject({ scanned: 16, expired: 8, errors: 0 });
    expect(proxy.count('HEAD') - heads).toBe(0);
    const later = ids.filter((_, i) => kindOf(i) === 'later');
    expect(await objectsUnder(prefix)).toEqual(later.map((id) => prefix + id));
    expect(fresh.size).toBe(later.reduce((n, id) => n + `body-${Number(id.slice(3))}`.length, 0));
    await fresh.close();
  });

  it('a rewrite without its own expiry and a removal leave no marker that would still apply', async () => {
    const prefix = 'rewrite/';
    const started = Date.now();
    let now = started;
    const writer = freshStore(prefix, () => now);
    await startIndex(writer, prefix);
    await writer.write('re', body('first, a day'), { isNew: true, expiresAt: new Date(now + 24 * HOUR) });
    await writer.write('re', body('then the default'));
    await writer.write('gone', body('removed'), { isNew: true, expiresAt: new Date(now + 24 * HOUR) });
    await writer.remove('gone');
    expect(await markersUnder(prefix), 'the rewrite left a "none" marker; the removal took its marker').toHaveLength(2);
    await writer.close();

    const fresh = freshStore(prefix, () => now);
    now = started + 2 * HOUR;
    expect(await fresh.cleanup()).toMatchObject({ scanned: 1, expired: 1, errors: 0 });
    expect(await listAllKeys(server, bucket, prefix)).toEqual([`${prefix}${EPOCH}`]);
    await fresh.close();
  });

  it('an upload declared with its own expiry (direct to the bucket) is in the index before its bytes', async () => {
    const prefix = 'declared/';
    const started = Date.now();
    let now = started;
    const writer = freshStore(prefix, () => now);
    await startIndex(writer, prefix);
    const expiresAt = new Date(now + 10 * 60_000);
    await writer.uploads.reserve('direct1', { bytes: 5, ttlMs: 60_000, expiresAt });
    // The browser's PUT, with the metadata the signed URL carries.
    const metadata = { 'att-created': new Date(now).toISOString(), 'att-expires': expiresAt.toISOString() };
    await clientFor(server, bucket, { prefix }).putObject('direct1', Buffer.from('bytes'), { metadata });
    await writer.close();

    const fresh = freshStore(prefix, () => now);
    now = started + 30 * 60_000;
    const heads = proxy.count('HEAD');
    expect(await fresh.cleanup()).toMatchObject({ scanned: 1, expired: 1, errors: 0 });
    expect(proxy.count('HEAD') - heads).toBe(0);
    expect(await listAllKeys(server, bucket, prefix)).toEqual([`${prefix}${EPOCH}`]);
    await fresh.close();
  });

  it('hostile ids stay harmless in the index and reserved keys are no ids', async () => {
    const prefix = 'odd/';
    const started = Date.now();
    let now = started;
    const idPattern = /^[\p{L}\p{N}\p{P}\p{S} ]{1,64}$/u;
    const writer = freshStore(prefix, () => now, { idPattern });
    await startIndex(writer, prefix);
    await expect(writer.write(EPOCH, body('x'), { isNew: true })).rejects.toMatchObject({ code: 'INVALID_ID' });
    const soon = { expiresAt: new Date(now + 10 * 60_000) };
    const late = { expiresAt: new Date(now + 24 * HOUR) };
    const written: [string, object][] = [
      [' leading space', soon],
      ['ü-ß/x y', soon],
      ['a+b&c=d%2F', late],
      ['😀.none', soon],
      ['zz', late],
    ];
    for (const [id, expiry] of written) await writer.write(id, body(id), { isNew: true, ...expiry });
    await writer.close();

    const fresh = freshStore(prefix, () => now, { idPattern });
    now = started + 30 * 60_000;
    const heads = proxy.count('HEAD');
    expect(await fresh.cleanup()).toMatchObject({ scanned: 5, expired: 3, errors: 0 });
    // fauxqs lists in locale order, not S3's byte order: the pass sees it and HEADs what the index cannot match.
    const expectedHeads = name === 'swift' ? 0 : 3;
    expect(proxy.count('HEAD') - heads, 'HEADs only where the listing order breaks the join').toBe(expectedHeads);
    expect(await objectsUnder(prefix)).toEqual([`${prefix}a+b&c=d%2F`, `${prefix}zz`]);
    expect(await markersUnder(prefix)).toHaveLength(2);
    expect(fresh.size).toBe('a+b&c=d%2F'.length + 'zz'.length);
    await fresh.close();
  });
});
