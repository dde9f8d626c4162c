/**
 * Everything a deployment shares between its processes, as one object: the ledger (the store's total and the
 * visitors' byte budgets), the limiter (rate limits) and the cleanup lease. `createMemoryState()` is the
 * single-process default; `@att/state-redis` is the shared one; any other store implements the same three
 * interfaces and proves it with `describeStateConformance` from `@att/store-core/testing`.
 */
import type { Lease } from './lease.js';
import type { Ledger } from './ledger.js';
import type { LimiterStore } from './limiter.js';
import { createMemoryLease } from './memory-lease.js';
import { MemoryLedger } from './memory-ledger.js';
import { createMemoryLimiterStore } from './memory-limiter.js';

export interface AttState {
  ledger: Ledger;
  /** Its `ledger` is the same object as `ledger` above, so a write settles every limit in one call. */
  limits: LimiterStore;
  lease: Lease;
  close(): Promise<void>;
}

export function createMemoryState(options: { now?: () => number } = {}): AttState {
  const now = options.now ?? Date.now;
  const ledger = new MemoryLedger({ now });
  return {
    ledger,
    limits: createMemoryLimiterStore({ ledger, now }),
    lease: createMemoryLease(now),
    async close() {},
  };
}
