// The Redis ledger against the reference (store-core's MemoryLedger) on the same random sequence of operations:
// every answer, every usage and every peek must agree. Time plays no part (long TTLs, far expiries), so the two
// clocks never matter; duplicate counters within one claim list are left out (Redis checks their sum, on purpose).
import { randomUUID } from 'node:crypto';
import { type Claim, type Commitment, type Ledger, MemoryLedger } from '@att/store-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { seededRandom as random } from '../../../scripts/seeded-random.mjs';
import { redisState } from '../src/index.js';

// One prefix per seed, so each sequence starts from an empty ledger on both sides.
const states = [1, 2, 3].map(() => redisState({ url: inject('redisUrl'), prefix: `diff-${randomUUID()}:` }));
afterAll(() => Promise.all(states.map((state) => state.close())));

describe('differential: Redis ledger vs MemoryLedger', () => {
  it.each([1, 2, 3])('seed %i: 300 random operations give the same answers', async (seed) => {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const counters = ['store', 'visitor-a', 'visitor-b', 'bandwidth'];
    const holders = Array.from({ length: 8 }, (_, i) => `s${seed}-h${i}`);
    const memory: Ledger = new MemoryLedger();
    const redis = (states[seed - 1] as (typeof states)[number]).ledger;
    const far = Date.now() + 3_600_000;
    let fresh = 0;

    for (let step = 0; step < 300; step++) {
      const what = next();
      const where = `step ${step}`;
      if (what < 0.4) {
        const chosen = [...counters].sort(() => next() - 0.5).slice(0, 1 + Math.floor(next() * 3));
        const claims: Claim[] = chosen.map((counter) => ({
          counter,
          bytes: 1 + Math.floor(next() * 40),
          limit: next() < 0.2 ? Infinity : 50 + Math.floor(next() * 150),
        }));
        const holder = pick(holders);
        const [a, b] = [await memory.reserve(holder, claims, 600_000), await redis.reserve(holder, claims, 600_000)];
        expect(b, `${where}: reserve ${holder} ${JSON.stringify(claims)}`).toBe(a);
      } else if (what < 0.75) {
        const holder = next() < 0.2 ? `s${seed}-fresh-${fresh++}` : pick(holders);
        const keep: Commitment[] = Array.from({ length: Math.floor(next() * 3) }, () => {
          const bytes = Math.floor(next() * 60) - 15;
          return bytes > 0 && next() < 0.4
            ? { counter: pick(counters), bytes, expiresAt: far + Math.floor(next() * 3_600_000) }
            : { counter: pick(counters), bytes };
        });
        await memory.settle(holder, keep);
        await redis.settle(holder, keep);
      } else if (what < 0.85) {
        const some = holders.filter(() => next() < 0.5);
        const [a, b] = [await memory.renew(some, 600_000), await redis.renew(some, 600_000)];
        expect([...b].sort(), `${where}: renew`).toEqual([...a].sort());
      } else {
        const counter = pick(counters);
        expect(await redis.usage(counter), `${where}: usage ${counter}`).toEqual(await memory.usage(counter));
      }
      for (const counter of counters) {
        expect(redis.peek(counter), `${where}: peek ${counter}`).toBe(memory.peek(counter));
      }
    }
    for (const counter of counters) {
      expect(await redis.usage(counter), `end: usage ${counter}`).toEqual(await memory.usage(counter));
    }
  });
});
