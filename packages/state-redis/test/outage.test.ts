// Redis stopped, frozen or absent: every operation rejects with STATE_UNAVAILABLE within the command timeout, and
// when Redis answers again the same state works without a restart. Each test runs its own redis-server, never the
// run's shared one.
import { randomUUID } from 'node:crypto';
import { type AttState, isAttError } from '@att/store-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningRedis, startRedis } from '../../../scripts/redis-server.mjs';
import { redisState } from '../src/index.js';

const TIMEOUT = 500;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ownRedis(port?: number): Promise<RunningRedis> {
  const redis = await startRedis({ port });
  cleanups.push(() => redis.stop());
  return redis;
}

function ownState(url: string): AttState {
  const state = redisState({ url, commandTimeout: TIMEOUT });
  cleanups.push(() => state.close());
  return state;
}

/** Every operation of the three interfaces, each expected to reject with STATE_UNAVAILABLE. */
function everyOperation(state: AttState): [string, () => Promise<unknown>][] {
  return [
    ['reserve', () => state.ledger.reserve(`h-${randomUUID()}`, [{ counter: 'store', bytes: 1, limit: 100 }], 30_000)],
    ['renew', () => state.ledger.renew(['h'], 30_000)],
    ['settle', () => state.ledger.settle(`h-${randomUUID()}`, [{ counter: 'store', bytes: 1 }])],
    ['usage', () => state.ledger.usage('store')],
    ['take', () => state.limits.take('visitor', { burst: 5, refillMs: 1000 })],
    ['lease.acquire', () => state.lease.acquire('cleanup', 30_000)],
    ['lease.renew', () => state.lease.renew('cleanup', 'token', 30_000)],
    ['lease.release', () => state.lease.release('cleanup', 'token')],
  ];
}

async function expectAllUnavailable(state: AttState, reason: RegExp): Promise<void> {
  for (const [name, operation] of everyOperation(state)) {
    const error = await operation().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isAttError(error, 'STATE_UNAVAILABLE'), `${name} rejects with STATE_UNAVAILABLE, got ${error}`).toBe(true);
    expect((error as Error).message, `${name}: the message says why`).toMatch(reason);
    expect((error as Error).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+/);
  }
}

/** Retries `fn` until it resolves (bounded: 100 tries, 100 ms apart); Redis's reconnect backoff is at most 2 s. */
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw last;
}

describe('Redis outages', () => {
  it('stopped mid-run: operations reject STATE_UNAVAILABLE; restarted on its port: they work again', async () => {
    const redis = await ownRedis();
    const state = ownState(redis.url);
    await state.ledger.settle(`h-${randomUUID()}`, [{ counter: 'store', bytes: 10 }]);
    expect(await state.ledger.usage('store')).toEqual({ committed: 10, reserved: 0 });

    await redis.stop();
    await expectAllUnavailable(state, /not connected|did not answer/);

    await ownRedis(redis.port);
    const holder = `h-${randomUUID()}`;
    expect(
      await eventually(() => state.ledger.reserve(holder, [{ counter: 'store', bytes: 7, limit: 100 }], 30_000)),
    ).toBeUndefined();
    // The restarted server kept nothing (no persistence in tests); what matters is that the same state works.
    expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 7 });
    expect(await state.limits.take('visitor', { burst: 1, refillMs: 60_000 })).toBe(true);
    expect(await state.lease.acquire('cleanup', 30_000)).toBeTypeOf('string');
  });

  it('frozen (answers nothing): operations reject after the command timeout; thawed: they work again', async () => {
    const redis = await ownRedis();
    const state = ownState(redis.url);
    expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 0 });
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const first = await state.ledger.usage('store').catch((err: unknown) => err);
      expect(isAttError(first, 'STATE_UNAVAILABLE'), `STATE_UNAVAILABLE, got ${first}`).toBe(true);
      expect((first as Error).message).toMatch(new RegExp(`did not answer within ${TIMEOUT} ms`));
      // That connection is then dropped as suspect, so the next operations fail at once.
      await expectAllUnavailable(state, new RegExp(`did not answer within ${TIMEOUT} ms|not connected`));
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    expect(await eventually(() => state.ledger.usage('store'))).toEqual({ committed: 0, reserved: 0 });
  });

  it('absent from the start: operations reject STATE_UNAVAILABLE instead of waiting', async () => {
    const redis = await ownRedis();
    await redis.stop(); // a port where nothing listens
    const state = ownState(redis.url);
    await expectAllUnavailable(state, /not connected|did not answer/);
  });
});
