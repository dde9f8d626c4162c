/**
 * The LimiterStore in Redis: the request-rate token bucket (one script per take) and the ledger that holds the
 * visitors' byte budgets — the very ledger the Store charges, so a write settles every limit in one call.
 */
import { AttError, type Ledger, type LimiterStore, type RateLimit } from '@att/store-core';
import type { Connection } from './connection.js';
import { bucketKey } from './keys.js';
import { TAKE } from './limiter-lua.js';
import { runScript } from './script.js';

export function createRedisLimiterStore(connection: Connection, prefix: string, ledger: Ledger): LimiterStore {
  return {
    ledger,
    async take(key: string, rate: RateLimit): Promise<boolean> {
      if (!(rate.burst >= 1 && rate.refillMs > 0 && Number.isFinite(rate.burst) && Number.isFinite(rate.refillMs))) {
        throw new AttError(
          'INVALID_CONFIG',
          `rate limit needs burst >= 1 and refillMs > 0, got ${JSON.stringify(rate)}`,
          {
            details: { field: 'rateLimit' },
          },
        );
      }
      const reply = await runScript(connection, TAKE, [bucketKey(prefix, key)], [rate.burst, rate.refillMs]);
      return Number(reply) === 1;
    },
  };
}
