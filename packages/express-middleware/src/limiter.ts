/**
 * Per-visitor limits live behind `LimiterStore` so several processes can share them (Redis, a database…);
 * the in-memory default is per process, bounded in keys and entries, and forgets what has expired.
 * Methods may return promises; the middleware awaits every call.
 */

export interface RateLimit {
  /** Bucket size: requests allowed back to back. */
  burst: number;
  /** One token comes back every `refillMs`. */
  refillMs: number;
}

export interface LimiterStore {
  /** Takes one token from `key`'s bucket; false (nothing taken) when empty. */
  take(key: string, rate: RateLimit, now: number): boolean | Promise<boolean>;
  /** Adds `amount` (negative gives back) to `key`, forgotten at `expiresAt`; returns the live total after it. */
  add(key: string, amount: number, expiresAt: number, now: number): number | Promise<number>;
  /** The live (unexpired) total of `key`. */
  usage(key: string, now: number): number | Promise<number>;
}

export interface MemoryLimiterOptions {
  /** Most keys kept; the least recently used go first. Default 10 000. */
  maxKeys?: number;
  /** Most expiring entries per key; older ones are merged (keeping the later expiry, so never under-counting). */
  maxEntriesPerKey?: number;
}

interface Bucket {
  tokens: number;
  updated: number;
  /** Full again (and so forgettable) from this time on. */
  fullAt: number;
}

interface Entry {
  amount: number;
  expiresAt: number;
}

/** Entries expiring within this window of each other share one slot. */
const MERGE_WINDOW_MS = 60_000;

export function memoryLimiterStore(options: MemoryLimiterOptions = {}): LimiterStore {
  const maxKeys = options.maxKeys ?? 10_000;
  const maxEntries = options.maxEntriesPerKey ?? 64;
  const buckets = new Map<string, Bucket>();
  const counters = new Map<string, Entry[]>();

  /** Re-inserting moves a key to the back, so Map order is least-recently-used first. */
  function touch<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > maxKeys) evict(map);
  }

  function evict<V>(map: Map<string, V>): void {
    for (const key of map.keys()) {
      if (map.size <= maxKeys) break;
      map.delete(key);
    }
  }

  function live(key: string, now: number): Entry[] {
    const entries = (counters.get(key) ?? []).filter((e) => e.expiresAt > now);
    return entries;
  }

  return {
    take(key, rate, now) {
      let bucket = buckets.get(key);
      if (!bucket || now >= bucket.fullAt) bucket = { tokens: rate.burst, updated: now, fullAt: now };
      const refilled = Math.min(rate.burst, bucket.tokens + (now - bucket.updated) / rate.refillMs);
      const allowed = refilled >= 1;
      const tokens = allowed ? refilled - 1 : refilled;
      touch(buckets, key, { tokens, updated: now, fullAt: now + (rate.burst - tokens) * rate.refillMs });
      return allowed;
    },
    add(key, amount, expiresAt, now) {
      const entries = live(key, now);
      const near = entries.find((e) => Math.abs(e.expiresAt - expiresAt) < MERGE_WINDOW_MS);
      if (near) {
        near.amount += amount;
        near.expiresAt = Math.max(near.expiresAt, expiresAt);
      } else {
        entries.push({ amount, expiresAt });
        entries.sort((a, b) => a.expiresAt - b.expiresAt);
        while (entries.length > maxEntries) {
          const [first, second] = entries as [Entry, Entry];
          second.amount += first.amount;
          entries.shift();
        }
      }
      touch(counters, key, entries);
      return sum(entries);
    },
    usage(key, now) {
      const entries = live(key, now);
      if (entries.length === 0) counters.delete(key);
      else counters.set(key, entries);
      return sum(entries);
    },
  };
}

function sum(entries: Entry[]): number {
  let total = 0;
  for (const e of entries) total += e.amount;
  return Math.max(0, total);
}
