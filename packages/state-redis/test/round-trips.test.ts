// Each operation the upload path uses is exactly one command (one round trip) in the steady state: the Store calls
// reserve and settle once per upload, the middleware one take. Counted by a proxy between the client and Redis.
import { randomUUID } from 'node:crypto';
import type { AttState } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';
import { type CommandCounter, startCommandCounter } from './support/command-counter.js';

let counter: CommandCounter;
let state: AttState;

beforeAll(async () => {
  counter = await startCommandCounter(Number(new URL(inject('redisUrl')).port));
  state = redisState({ url: counter.url, prefix: `rt-${randomUUID()}:` });
  // Warm up: the connection handshake and the first EVAL of each script (NOSCRIPT fallback) are not per upload.
  const h = `warm-${randomUUID()}`;
  await state.ledger.reserve(h, [{ counter: 'store', bytes: 1, limit: 100 }], 30_000);
  await state.ledger.renew([h], 30_000);
  await state.ledger.settle(h, [{ counter: 'store', bytes: 1 }]);
  await state.ledger.usage('store');
  await state.limits.take('warm', { burst: 1, refillMs: 1000 });
  const token = (await state.lease.acquire('warm', 1000)) as string;
  await state.lease.renew('warm', token, 1000);
  await state.lease.release('warm', token);
});

afterAll(async () => {
  await state?.close();
  await counter?.close();
});

/** Commands sent while `fn` runs, by name. */
async function commandsOf(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  counter.reset();
  await fn();
  return Object.fromEntries(counter.commands);
}

describe('round trips', () => {
  it('one upload costs three commands: take, reserve (all limits at once), settle', async () => {
    const holder = `upload-${randomUUID()}`;
    const day = Date.now() + 86_400_000;
    const sent = await commandsOf(async () => {
      expect(await state.limits.take('visitor:1.2.3.4', { burst: 60, refillMs: 1000 })).toBe(true);
      const refused = await state.ledger.reserve(
        holder,
        [
          { counter: 'store', bytes: 1 << 20, limit: 1 << 30 },
          { counter: 'visitor-total:1.2.3.4', bytes: 1 << 20, limit: 100 << 20 },
          { counter: 'visitor-bandwidth:1.2.3.4', bytes: 1 << 20, limit: 500 << 20 },
        ],
        30_000,
      );
      expect(refused).toBeUndefined();
      await state.ledger.settle(holder, [
        { counter: 'store', bytes: 1 << 20 },
        { counter: 'visitor-total:1.2.3.4', bytes: 1 << 20, expiresAt: day },
        { counter: 'visitor-bandwidth:1.2.3.4', bytes: 1 << 20, expiresAt: day },
      ]);
    });
    expect(sent, 'exactly three EVALSHA, nothing else').toEqual({ EVALSHA: 3 });
  });

  it('renew of many holders, usage and a lease operation are one command each', async () => {
    const holders = Array.from({ length: 20 }, () => `h-${randomUUID()}`);
    for (const h of holders) await state.ledger.reserve(h, [{ counter: 'store', bytes: 1, limit: Infinity }], 30_000);
    expect(await commandsOf(() => state.ledger.renew(holders, 30_000))).toEqual({ EVALSHA: 1 });
    expect(await commandsOf(() => state.ledger.usage('store'))).toEqual({ EVALSHA: 1 });
    const name = `lease-${randomUUID()}`;
    let token: string | undefined;
    expect(await commandsOf(async () => (token = await state.lease.acquire(name, 30_000)))).toEqual({ SET: 1 });
    expect(await commandsOf(() => state.lease.renew(name, token as string, 30_000))).toEqual({ EVALSHA: 1 });
    expect(await commandsOf(() => state.lease.release(name, token as string))).toEqual({ EVALSHA: 1 });
  });

  it('a script unknown to Redis (after a restart) costs one extra EVAL once, then EVALSHA again', async () => {
    await flushScripts(); // what a Redis restart does to the script cache
    expect(await commandsOf(() => state.ledger.usage('store')), 'NOSCRIPT, then EVAL with the source').toEqual({
      EVALSHA: 1,
      EVAL: 1,
    });
    expect(await commandsOf(() => state.ledger.usage('store'))).toEqual({ EVALSHA: 1 });
  });
});

async function flushScripts(): Promise<void> {
  const { Redis } = await import('ioredis');
  const raw = new Redis(inject('redisUrl'));
  try {
    await raw.script('FLUSH');
  } finally {
    raw.disconnect();
  }
}
