/**
 * `describeStateConformance(name, create)`: the guarantees of the shared-state contract (ledger.ts, limiter.ts,
 * lease.ts) checked against a real implementation. The in-memory state and `@att/state-redis` pass it; a
 * third party's Postgres or DynamoDB state proves itself the same way.
 */
import { randomUUID } from 'node:crypto';
import type { AttState } from '../state/state.js';
import { describe, expect, it } from './vitest.js';

export interface StateConformanceOptions {
  /** Per-check timeout in ms. Default 30 s. */
  timeout?: number;
  /** A reservation TTL short enough to wait out in a test. Default 300 ms. */
  shortTtlMs?: number;
}

/** Resolves after `ms` (the only waiting the suite does: for a TTL to run out, in a bounded loop). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeStateConformance(
  name: string,
  create: () => AttState | Promise<AttState>,
  options: StateConformanceOptions = {},
): void {
  const timeout = { timeout: options.timeout ?? 30_000 };
  const shortTtl = options.shortTtlMs ?? 300;
  const TTL = 30_000;
  /** A fresh state and a unique counter namespace per check, so checks never see each other's bytes. */
  const withState = (fn: (state: AttState, ns: string) => Promise<void>) => async () => {
    const state = await create();
    try {
      await fn(state, `conformance-${randomUUID()}:`);
    } finally {
      await state.close();
    }
  };
  const holder = () => `holder-${randomUUID()}`;

  describe(`${name}: shared state`, () => {
    describe('ledger', () => {
      it(
        'grants within the limit, refuses past it, and a refusal reserves nothing',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}total`;
          expect(await ledger.reserve(holder(), [{ counter: c, bytes: 60, limit: 100 }], TTL)).toBeUndefined();
          expect(await ledger.reserve(holder(), [{ counter: c, bytes: 41, limit: 100 }], TTL), 'over the limit').toBe(
            c,
          );
          expect(await ledger.usage(c)).toEqual({ committed: 0, reserved: 60 });
          expect(
            await ledger.reserve(holder(), [{ counter: c, bytes: 40, limit: 100 }], TTL),
            'exactly full',
          ).toBeUndefined();
        }),
      );

      it(
        'reserves all claims or none, and names the counter that refused',
        timeout,
        withState(async ({ ledger }, ns) => {
          const a = `${ns}a`;
          const b = `${ns}b`;
          await ledger.settle(holder(), [{ counter: b, bytes: 90 }]);
          const refused = await ledger.reserve(
            holder(),
            [
              { counter: a, bytes: 20, limit: 100 },
              { counter: b, bytes: 20, limit: 100 },
            ],
            TTL,
          );
          expect(refused).toBe(b);
          expect((await ledger.usage(a)).reserved, 'no partial grant on the other counter').toBe(0);
        }),
      );

      it(
        'settle drops the reservation and commits what is kept, once per holder',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}total`;
          const h = holder();
          await ledger.reserve(h, [{ counter: c, bytes: 50, limit: 100 }], TTL);
          await ledger.reserve(h, [{ counter: c, bytes: 25, limit: 100 }], TTL);
          expect(await ledger.usage(c)).toEqual({ committed: 0, reserved: 75 });
          await ledger.settle(h, [{ counter: c, bytes: 70 }]);
          await ledger.settle(h, [{ counter: c, bytes: 70 }]);
          expect(await ledger.usage(c), 'a repeated settle commits nothing').toEqual({ committed: 70, reserved: 0 });
          expect(ledger.peek(c), 'peek shows the last value seen').toBe(70);
        }),
      );

      it(
        'committed bytes never go below zero',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}total`;
          await ledger.settle(holder(), [{ counter: c, bytes: 10 }]);
          await ledger.settle(holder(), [{ counter: c, bytes: -25 }]);
          expect((await ledger.usage(c)).committed).toBe(0);
        }),
      );

      it(
        'committed bytes with an expiry leave the counter then',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}visitor`;
          await ledger.settle(holder(), [
            { counter: c, bytes: 30, expiresAt: Date.now() + shortTtl },
            { counter: c, bytes: 5 },
          ]);
          expect((await ledger.usage(c)).committed).toBe(35);
          await waitUntil(async () => (await ledger.usage(c)).committed === 5, shortTtl);
          expect((await ledger.usage(c)).committed, 'expired bytes are gone').toBe(5);
        }),
      );

      it(
        'an unrenewed reservation expires after its TTL; a renewed one stays',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}total`;
          const dying = holder();
          const living = holder();
          await ledger.reserve(dying, [{ counter: c, bytes: 40, limit: 100 }], shortTtl);
          await ledger.reserve(living, [{ counter: c, bytes: 10, limit: 100 }], shortTtl);
          await waitUntil(async () => {
            expect(await ledger.renew([living], shortTtl)).toEqual([]);
            return (await ledger.usage(c)).reserved === 10;
          }, shortTtl);
          expect(await ledger.usage(c)).toEqual({ committed: 0, reserved: 10 });
          expect(await ledger.renew([dying, living], TTL), 'renew names the holders already gone').toEqual([dying]);
        }),
      );

      it(
        'concurrent reservations never exceed the limit together',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}total`;
          const results = await Promise.all(
            Array.from({ length: 50 }, () => ledger.reserve(holder(), [{ counter: c, bytes: 7, limit: 100 }], TTL)),
          );
          const granted = results.filter((r) => r === undefined).length;
          expect(granted, '14 × 7 = 98 fit in 100, a 15th does not').toBe(14);
          expect((await ledger.usage(c)).reserved).toBe(98);
        }),
      );

      it(
        'an Infinity limit counts without refusing',
        timeout,
        withState(async ({ ledger }, ns) => {
          const c = `${ns}total`;
          expect(
            await ledger.reserve(holder(), [{ counter: c, bytes: 2 ** 40, limit: Infinity }], TTL),
          ).toBeUndefined();
          expect((await ledger.usage(c)).reserved).toBe(2 ** 40);
        }),
      );
    });

    describe('limiter', () => {
      it(
        'a token bucket allows its burst, then refuses, and is shared by every handle',
        timeout,
        withState(async ({ limits }, ns) => {
          const rate = { burst: 5, refillMs: 3_600_000 };
          const taken = await Promise.all(Array.from({ length: 8 }, () => limits.take(`${ns}rate`, rate)));
          expect(taken.filter(Boolean).length).toBe(5);
          expect(await limits.take(`${ns}other`, rate), 'another key has its own bucket').toBe(true);
        }),
      );

      it(
        'tokens come back with time',
        timeout,
        withState(async ({ limits }, ns) => {
          const rate = { burst: 1, refillMs: shortTtl };
          expect(await limits.take(`${ns}rate`, rate)).toBe(true);
          expect(await limits.take(`${ns}rate`, rate)).toBe(false);
          await waitUntil(() => limits.take(`${ns}rate`, rate), shortTtl);
        }),
      );
    });

    describe('lease', () => {
      it(
        'one holder at a time; release lets the next one in',
        timeout,
        withState(async ({ lease }, ns) => {
          const tokens = await Promise.all(Array.from({ length: 5 }, () => lease.acquire(`${ns}cleanup`, TTL)));
          const winners = tokens.filter((t): t is string => t !== undefined);
          expect(winners.length).toBe(1);
          const [winner] = winners as [string];
          expect(await lease.renew(`${ns}cleanup`, winner, TTL)).toBe(true);
          expect(await lease.renew(`${ns}cleanup`, 'not-the-holder', TTL)).toBe(false);
          await lease.release(`${ns}cleanup`, 'not-the-holder');
          expect(await lease.acquire(`${ns}cleanup`, TTL), 'a stranger cannot release it').toBeUndefined();
          await lease.release(`${ns}cleanup`, winner);
          expect(await lease.acquire(`${ns}cleanup`, TTL), 'a token').toBeTypeOf('string');
        }),
      );

      it(
        'an unrenewed lease expires',
        timeout,
        withState(async ({ lease }, ns) => {
          const first = await lease.acquire(`${ns}cleanup`, shortTtl);
          expect(first, 'a token').toBeTypeOf('string');
          await waitUntil(async () => (await lease.acquire(`${ns}cleanup`, TTL)) !== undefined, shortTtl);
          expect(await lease.renew(`${ns}cleanup`, first as string, TTL), 'the expired holder lost it').toBe(false);
        }),
      );
    });
  });
}

/** Polls `check` until it holds, for at most 20 × `ttl` (bounded), failing the check if it never does. */
async function waitUntil(check: () => Promise<boolean>, ttl: number): Promise<void> {
  const step = Math.max(20, Math.floor(ttl / 4));
  for (let waited = 0; waited <= 20 * ttl; waited += step) {
    if (await check()) return;
    await sleep(step);
  }
  throw new Error(`condition not reached within ${20 * ttl} ms`);
}
