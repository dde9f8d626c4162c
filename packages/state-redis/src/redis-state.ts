/**
 * `redisState()`: the ledger, the limiter and the cleanup lease of a whole fleet in one Redis, as the AttState a
 * Store and the middleware take. One connection serves all three; `limits.ledger` is `ledger` itself, so a write
 * reserves and settles every limit (store total, visitor total, daily bandwidth) in one script call each.
 */
import { inspect } from 'node:util';
import type { AttState } from '@att/store-core';
import { openConnection } from './connection.js';
import { type RedisStateOptions, resolveOptions } from './options.js';
import { createRedisLease } from './redis-lease.js';
import { RedisLedger } from './redis-ledger.js';
import { createRedisLimiterStore } from './redis-limiter.js';

export function redisState(options: RedisStateOptions): AttState {
  const settings = resolveOptions(options);
  const connection = openConnection(
    options.client !== undefined ? { client: options.client } : { url: options.url as string },
    settings.commandTimeout,
  );
  const ledger = new RedisLedger(connection, settings);
  let closing: Promise<void> | undefined;
  // What the state shows of itself in logs: where Redis is and the prefix, never the URL (it may hold a password).
  const label = `RedisState(${connection.where}, prefix ${JSON.stringify(settings.prefix)})`;
  return {
    ledger,
    limits: createRedisLimiterStore(connection, settings.prefix, ledger),
    lease: createRedisLease(connection, settings.prefix),
    close() {
      closing ??= connection.close();
      return closing;
    },
    toString: () => label,
    toJSON: () => label,
    [inspect.custom]: () => label,
  } as AttState;
}
