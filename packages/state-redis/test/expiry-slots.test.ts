// Expiring bytes live in per-counter slots: a deadline is rounded up to the slot's end (bytes may leave late,
// never early), and past 1 500 slots the earliest fold into the next — the bytes stay counted, longer.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';

const MINUTE = 60_000;
const prefix = `slots-${randomUUID()}:`;
const state = redisState({ url: inject('redisUrl'), prefix });
const raw = new Redis(inject('redisUrl'));
afterAll(async () => {
  await state.close();
  raw.disconnect();
});

describe('expiry slots', () => {
  it('a deadline is rounded up to the next minute, never down', async () => {
    const expiresAt = Date.now() + 90 * MINUTE + 1_234;
    await state.ledger.settle(`w-${randomUUID()}`, [{ counter: 'visitor', bytes: 42, expiresAt }]);
    const slots = await raw.hgetall(`${prefix}c:visitor`);
    const deadlines = Object.keys(slots).map(Number);
    expect(deadlines, 'one slot').toHaveLength(1);
    expect(deadlines[0], 'not before the asked deadline').toBeGreaterThanOrEqual(expiresAt);
    expect(deadlines[0] as number, 'at most one minute later').toBeLessThan(expiresAt + MINUTE);
    expect((deadlines[0] as number) % MINUTE, 'on a minute boundary').toBe(0);
    expect(await raw.pttl(`${prefix}c:visitor`), 'the key lives until its last slot').toBeGreaterThan(89 * MINUTE);
  });

  it('more than 1 500 slots fold into later ones and keep every byte', async () => {
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const keep = Array.from({ length: 1_600 }, (_, i) => ({
      counter: 'busy',
      bytes: i + 1,
      expiresAt: start + i * MINUTE,
    }));
    await state.ledger.settle(`w-${randomUUID()}`, keep);
    const slots = await raw.hgetall(`${prefix}c:busy`);
    expect(Object.keys(slots).length, 'bounded').toBeLessThanOrEqual(1_500);
    const total = (1_600 * 1_601) / 2;
    expect(await state.ledger.usage('busy'), 'no byte dropped').toEqual({ committed: total, reserved: 0 });
    const earliest = Math.min(...Object.keys(slots).map(Number));
    expect(earliest, 'the folded bytes leave later than asked, never earlier').toBeGreaterThan(start);
  });
});
