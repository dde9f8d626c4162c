// Exactness across processes, approximated by three states with connections of their own on one prefix (as three
// app instances have): grants, tokens and the lease are shared, never multiplied by the number of instances.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';

const prefix = `fleet-${randomUUID()}:`;
const instances = Array.from({ length: 3 }, () => redisState({ url: inject('redisUrl'), prefix }));
afterAll(async () => {
  await Promise.all(instances.map((state) => state.close()));
});
const on = (i: number) => instances[i % instances.length] as (typeof instances)[number];

describe('three instances on one Redis', () => {
  it('concurrent reservations spread over the instances never exceed the limit together', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        on(i).ledger.reserve(`h-${i}`, [{ counter: 'store', bytes: 7, limit: 100 }], 30_000),
      ),
    );
    expect(results.filter((r) => r === undefined).length, '14 × 7 = 98 fit in 100').toBe(14);
    for (const state of instances) expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 98 });
  });

  it('a settle seen by one instance is seen by all, and peek shows what each last saw', async () => {
    await on(0).ledger.settle('writer', [{ counter: 'visitor', bytes: 40 }]);
    expect(on(0).ledger.peek('visitor')).toBe(40);
    expect(on(1).ledger.peek('visitor'), 'no I/O: instance 1 has not looked yet').toBe(0);
    expect((await on(1).ledger.usage('visitor')).committed).toBe(40);
    expect(on(1).ledger.peek('visitor')).toBe(40);
    await on(2).ledger.settle('writer', [{ counter: 'visitor', bytes: 40 }]);
    expect((await on(1).ledger.usage('visitor')).committed, 'a settle counts once, whoever repeats it').toBe(40);
  });

  it("a visitor's rate limit holds across the instances", async () => {
    const rate = { burst: 5, refillMs: 3_600_000 };
    const taken = await Promise.all(Array.from({ length: 15 }, (_, i) => on(i).limits.take('visitor', rate)));
    expect(taken.filter(Boolean).length, 'five in all, not five per instance').toBe(5);
  });

  it('one lease holder in the fleet', async () => {
    const tokens = await Promise.all(Array.from({ length: 9 }, (_, i) => on(i).lease.acquire('cleanup', 30_000)));
    expect(tokens.filter((t) => t !== undefined).length).toBe(1);
  });
});
