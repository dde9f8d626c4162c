/**
 * The in-process LimiterStore (the default): token buckets bounded in keys (least recently used go first), and a
 * ledger for the per-visitor byte budgets.
 */
import type { Ledger } from './ledger.js';
import type { LimiterStore, RateLimit } from './limiter.js';
import { MemoryLedger } from './memory-ledger.js';

export interface MemoryLimiterOptions {
  /** Most rate-limit buckets kept; the least recently used go first. Default 10 000. */
  maxKeys?: number;
  /** The ledger for byte budgets; default a new in-process one. */
  ledger?: Ledger;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updated: number;
  /** Full again (and so forgettable) from this time on. */
  fullAt: number;
}

export function createMemoryLimiterStore(options: MemoryLimiterOptions = {}): LimiterStore {
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const ledger = options.ledger ?? new MemoryLedger({ now });
  return {
    ledger,
    async take(key: string, rate: RateLimit): Promise<boolean> {
      const at = now();
      let bucket = buckets.get(key);
      if (!bucket || at >= bucket.fullAt) bucket = { tokens: rate.burst, updated: at, fullAt: at };
      const refilled = Math.min(rate.burst, bucket.tokens + (at - bucket.updated) / rate.refillMs);
      const allowed = refilled >= 1;
      const tokens = allowed ? refilled - 1 : refilled;
      // Re-inserting moves the key to the back, so Map order is least-recently-used first.
      buckets.delete(key);
      buckets.set(key, { tokens, updated: at, fullAt: at + (rate.burst - tokens) * rate.refillMs });
      for (const old of buckets.keys()) {
        if (buckets.size <= maxKeys) break;
        buckets.delete(old);
      }
      return allowed;
    },
  };
}
