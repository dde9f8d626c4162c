// store.meter(budgets): a live charge outside a write (a tus PATCH's bandwidth). Growing a slice ahead falls back
// to exactly the bytes in hand at the limit, a refusal is the budget's own error, and settle commits what arrived
// and drops the rest of the reservation.
import { describe, expect, it } from 'vitest';
import { type Budget, createStore, MemoryLedger } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { codeOf } from './helpers.js';

function setup(limit: number) {
  const ledger = new MemoryLedger();
  const store = createStore({ backend: createMemoryBackend(), ledger });
  const bandwidth: Budget = {
    ledger,
    counter: 'visitor-bandwidth',
    limit,
    keeps: 'received',
    refusal: { code: 'RATE_LIMITED', message: 'daily bandwidth limit reached' },
  };
  return { ledger, store, bandwidth };
}

describe('store.meter', () => {
  it('grows a slice ahead while it fits, then exactly what is needed, and refuses past the limit', async () => {
    const { store, bandwidth } = setup(1000);
    const meter = store.meter([bandwidth]);
    await meter.grow(100, 600);
    expect(meter.reserved, 'the slice ahead').toBe(600);
    await meter.grow(350, 600);
    expect(meter.reserved, 'only the bytes needed once the slice no longer fits').toBe(950);
    await meter.grow(50, 600);
    expect(meter.reserved).toBe(1000);
    expect(await codeOf(meter.grow(1, 600)), 'one byte past the limit').toBe('RATE_LIMITED');
    expect(meter.reserved).toBe(1000);
  });

  it('settle commits the bytes that arrived and gives back the reserved rest', async () => {
    const { ledger, store, bandwidth } = setup(1000);
    const meter = store.meter([bandwidth]);
    await meter.grow(100, 600);
    await meter.settle(250);
    expect(await ledger.usage('visitor-bandwidth')).toEqual({ committed: 250, reserved: 0 });
    const next = store.meter([bandwidth]);
    await next.grow(750);
    expect(await codeOf(next.grow(1)), 'the committed bytes count').toBe('RATE_LIMITED');
  });
});
