/**
 * Per-visitor limits of an HTTP layer: a request-rate token bucket plus the byte budgets (a visitor's total,
 * a visitor's daily bandwidth), which are ordinary ledger counters charged by the Store. Behind one interface so
 * that a shared store makes them hold across every process of a deployment.
 */
import type { Ledger } from './ledger.js';

export interface RateLimit {
  /** Bucket size: requests allowed back to back. */
  burst: number;
  /** One token comes back every `refillMs`. */
  refillMs: number;
}

export interface LimiterStore {
  /** Takes one token from `key`'s bucket; false (nothing taken) when empty. Atomic across processes. */
  take(key: string, rate: RateLimit): Promise<boolean>;
  /** The counters of per-visitor byte budgets. When it is the Store's own ledger, a write costs one round trip. */
  readonly ledger: Ledger;
}
