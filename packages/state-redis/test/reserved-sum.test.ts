// The reserved total of a counter is kept as a running sum (no operation adds up every reservation). It must stay
// equal to the reservations themselves through grants, re-reservations, settles, renewals and expiries.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';

const prefix = `sum-${randomUUID()}:`;
const state = redisState({ url: inject('redisUrl'), prefix });
const raw = new Redis(inject('redisUrl'));
afterAll(async () => {
  await state.close();
  raw.disconnect();
});

async function rawSum(counter: string): Promise<{ sum: number; kept: number }> {
  const values = await raw.hvals(`${prefix}r:${counter}`);
  return {
    sum: values.reduce((total, v) => total + Number(v), 0),
    kept: Number((await raw.get(`${prefix}n:${counter}`)) ?? 0),
  };
}

describe('reserved sum', () => {
  it('equals the live reservations after grants, settles and expiries', async () => {
    const SHORT = 200;
    const live = new Map<string, number>();
    const dying: string[] = [];
    for (let i = 0; i < 60; i++) {
      const holder = `h${i}`;
      const bytes = 1 + ((i * 37) % 50);
      const short = i % 3 === 0;
      await state.ledger.reserve(holder, [{ counter: 'store', bytes, limit: Infinity }], short ? SHORT : 60_000);
      if (short) dying.push(holder);
      else live.set(holder, bytes);
    }
    // A second reservation by the same holder adds to its first.
    await state.ledger.reserve('h1', [{ counter: 'store', bytes: 5, limit: Infinity }], 60_000);
    live.set('h1', (live.get('h1') ?? 0) + 5);
    for (const holder of ['h2', 'h4', 'h5']) {
      await state.ledger.settle(holder, []);
      live.delete(holder);
    }
    const expected = [...live.values()].reduce((a, b) => a + b, 0);
    let reserved = -1;
    for (let attempt = 0; attempt < 100 && reserved !== expected; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, SHORT / 2));
      reserved = (await state.ledger.usage('store')).reserved;
    }
    expect(reserved, 'the short reservations expired, the settled ones left').toBe(expected);
    const { sum, kept } = await rawSum('store');
    expect(kept, 'the running sum equals the reservations').toBe(sum);
    expect(await state.ledger.renew(dying, 60_000), 'the expired holders are gone').toEqual(dying);

    for (const holder of live.keys()) await state.ledger.settle(holder, []);
    expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 0 });
    expect(await raw.exists(`${prefix}r:store`, `${prefix}d:store`, `${prefix}n:store`), 'no keys left').toBe(0);
  });
});
