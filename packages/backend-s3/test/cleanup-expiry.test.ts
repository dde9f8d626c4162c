// Finding 8 on a real server: ListObjectsV2 carries no metadata. Objects written before the expiry index began (here:
// before the first pass) are HEADed once each, side by side, unless their write left a marker in the index; a
// second pass asks nothing and deletes nothing it should keep. (cleanup-index.test.ts: objects written after.)
import { createStore } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { clientFor } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, s3Server } from './support/servers.js';

const server = s3Server('fauxqs');
let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'cleanup-expiry');
  proxy = await startFaultProxy(server.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

async function* body(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

describe('cleanup on S3 listings', () => {
  it('HEADs each object its age calls expired once, keeps later per-write expiries, and asks nothing on the next pass', async () => {
    let now = Date.now();
    const backend = s3Backend(clientFor(server, bucket, { endpoint: proxy.endpoint, prefix: 'c' }));
    const store = createStore({ backend, expiry: 60_000, now: () => now });
    for (let i = 0; i < 24; i++) {
      const later = i % 3 === 0 ? { expiresAt: new Date(now + 24 * 3_600_000) } : {};
      await store.write(`obj${String(i).padStart(2, '0')}`, body(`body-${i}`), { isNew: true, ...later });
    }
    now += 3_600_000;
    const headsBefore = proxy.count('HEAD');
    const first = await store.cleanup();
    expect(first).toMatchObject({ scanned: 24, expired: 16, errors: 0 });
    expect(proxy.count('HEAD') - headsBefore, 'one HEAD per object without a marker').toBe(16);
    const kept = Array.from({ length: 8 }, (_, i) => `c/obj${String(i * 3).padStart(2, '0')}`);
    const keys = await listAllKeys(server, bucket, 'c/');
    expect(keys.filter((key) => !key.startsWith('c/!att/'))).toEqual(kept);
    expect(keys.filter((key) => key.startsWith('c/!att/')).length, "the epoch and the kept ones' markers").toBe(9);

    const headsAfterFirst = proxy.count('HEAD');
    const second = await store.cleanup();
    expect(second).toMatchObject({ scanned: 8, expired: 0, errors: 0 });
    expect(proxy.count('HEAD'), 'the second pass reuses what the first learned').toBe(headsAfterFirst);
    expect(store.size).toBe(kept.reduce((n, key) => n + `body-${Number(key.slice(5))}`.length, 0));
    await store.close();
  });

  it('deletes objects at their own expiresAt on a store without a default expiry (the middleware narrowing it)', async () => {
    let now = Date.now();
    const backend = s3Backend(clientFor(server, bucket, { endpoint: proxy.endpoint, prefix: 'n' }));
    const store = createStore({ backend, now: () => now });
    await store.write('brief', body('three hours'), { isNew: true, expiresAt: new Date(now + 3 * 3_600_000) });
    await store.write('kept', body('no expiry'), { isNew: true });
    now += 4 * 3_600_000;
    const result = await store.cleanup();
    expect(result).toMatchObject({ scanned: 2, expired: 1, errors: 0 });
    // The expired object's marker went with it; the epoch says from when on writes keep the index.
    expect(await listAllKeys(server, bucket, 'n/')).toEqual(['n/!att/expiry/-since', 'n/kept']);
    expect(store.size).toBe('no expiry'.length);
    const heads = proxy.count('HEAD');
    expect((await store.cleanup()).expired).toBe(0);
    expect(proxy.count('HEAD'), 'learned once').toBe(heads);
    await store.close();
  });
});
