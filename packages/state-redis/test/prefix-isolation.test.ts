// Two apps on one Redis with different prefixes share nothing: counters, reservations, buckets and leases of the
// same names stay apart, and every key an app writes starts with its prefix.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';

const url = inject('redisUrl');
const prefixA = `app-a-${randomUUID()}:`;
const prefixB = `app-b-${randomUUID()}:`;
const a = redisState({ url, prefix: prefixA });
const b = redisState({ url, prefix: prefixB });
let raw: Redis;

beforeAll(() => {
  raw = new Redis(url);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  raw.disconnect();
});

async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  for (let page = 0; page < 1000; page++) {
    const [next, found] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
    if (cursor === '0') break;
  }
  return keys.sort();
}

describe('prefix isolation', () => {
  it('the same counter, bucket and lease names in two apps never meet', async () => {
    const full = [{ counter: 'store', bytes: 100, limit: 100 }];
    expect(await a.ledger.reserve('writer', full, 30_000)).toBeUndefined();
    expect(await b.ledger.reserve('writer', full, 30_000), "app A's reservation is not app B's").toBeUndefined();
    await a.ledger.settle('writer', [{ counter: 'store', bytes: 60 }]);
    expect(await a.ledger.usage('store')).toEqual({ committed: 60, reserved: 0 });
    expect(await b.ledger.usage('store'), "A's settle left B's reservation alone").toEqual({
      committed: 0,
      reserved: 100,
    });
    const once = { burst: 1, refillMs: 3_600_000 };
    expect(await a.limits.take('visitor', once)).toBe(true);
    expect(await b.limits.take('visitor', once), "B's bucket is full").toBe(true);
    expect(await a.limits.take('visitor', once)).toBe(false);
    expect(await a.lease.acquire('cleanup', 30_000)).toBeTypeOf('string');
    expect(await b.lease.acquire('cleanup', 30_000), "B's lease is free").toBeTypeOf('string');

    const keysA = await keysOf(prefixA);
    const keysB = await keysOf(prefixB);
    expect(keysA.length, 'A wrote keys under its prefix').toBeGreaterThan(0);
    expect(keysB.length).toBeGreaterThan(0);
    expect(
      keysA.filter((k) => keysB.includes(k)),
      'no key in common',
    ).toEqual([]);
  });

  it('idle keys vanish by themselves; only lasting bytes stay without a TTL', async () => {
    const prefix = `tidy-${randomUUID()}:`;
    const state = redisState({ url, prefix });
    try {
      await state.ledger.reserve('w1', [{ counter: 'store', bytes: 10, limit: 1000 }], 30_000);
      await state.ledger.reserve('w2', [{ counter: 'visitor', bytes: 10, limit: 1000 }], 30_000);
      await state.ledger.settle('w1', [{ counter: 'store', bytes: 10 }]);
      await state.ledger.settle('w2', [{ counter: 'visitor', bytes: 10, expiresAt: Date.now() + 3_600_000 }]);
      await state.limits.take('visitor', { burst: 5, refillMs: 1000 });
      const ttls = Object.fromEntries(
        await Promise.all((await keysOf(prefix)).map(async (k) => [k.slice(prefix.length), await raw.pttl(k)])),
      );
      expect(ttls[`c:store`], "the store's total lasts").toBe(-1);
      for (const [key, ttl] of Object.entries(ttls)) {
        if (key !== 'c:store') expect(ttl, `${key} expires by itself`).toBeGreaterThan(0);
      }
      expect(Object.keys(ttls).sort(), 'settled writes leave no reservation keys').toEqual([
        'c:store',
        'c:visitor',
        's:w1',
        's:w2',
        't:visitor',
      ]);
    } finally {
      await state.close();
    }
  });
});
