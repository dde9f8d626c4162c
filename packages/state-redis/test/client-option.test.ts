// `redisState({ client })`: an ioredis client the app built itself is used as it is, and stays the app's:
// closing the state leaves it connected.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';

describe('client option', () => {
  it("uses the app's client and leaves it open on close", async () => {
    const client = new Redis(inject('redisUrl'), { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    try {
      const state = redisState({ client, prefix: `client-${randomUUID()}:` });
      expect(await state.ledger.reserve('w', [{ counter: 'store', bytes: 5, limit: 10 }], 30_000)).toBeUndefined();
      expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 5 });
      expect(String(state), 'named by host and port').toMatch(/redis:\/\/127\.0\.0\.1:\d+/);
      await state.close();
      expect(await client.ping(), "the app's client still works").toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
