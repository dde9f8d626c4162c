/**
 * The in-process Ledger (the default): exact inside one process, shared by nobody. The reference implementation of
 * the contract in ledger.ts, in the same shape a shared one takes: committed bytes per counter (some expiring),
 * reservations per holder with a deadline.
 */
import type { Claim, Commitment, CounterUsage, Ledger } from './ledger.js';

export interface MemoryLedgerOptions {
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

interface Counter {
  /** Committed bytes that never expire. */
  lasting: number;
  /** Committed bytes that expire, in slots merged by expiry window (bounded per counter). */
  expiring: { bytes: number; expiresAt: number }[];
}

interface Holder {
  deadline: number;
  claims: Map<string, number>;
}

/** Expiring bytes whose deadlines fall within this window share a slot (taking the later deadline: never under-counts). */
const SLOT_MS = 60_000;
const MAX_SLOTS = 1_500;
/** Settled holder names remembered so that a repeated settle commits nothing. */
const SETTLED_MEMORY = 10_000;

export class MemoryLedger implements Ledger {
  readonly #now: () => number;
  readonly #counters = new Map<string, Counter>();
  readonly #holders = new Map<string, Holder>();
  readonly #settled = new Set<string>();
  readonly #seen = new Map<string, number>();

  constructor(options: MemoryLedgerOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async reserve(holder: string, claims: readonly Claim[], ttlMs: number): Promise<string | undefined> {
    const now = this.#now();
    this.#expireHolders(now);
    for (const claim of claims) {
      const used = this.#committed(claim.counter, now) + this.#reserved(claim.counter);
      if (used + claim.bytes > claim.limit) {
        this.#seen.set(claim.counter, used);
        return claim.counter;
      }
    }
    let entry = this.#holders.get(holder);
    if (!entry) {
      entry = { deadline: 0, claims: new Map() };
      this.#holders.set(holder, entry);
    }
    entry.deadline = now + ttlMs;
    for (const claim of claims) entry.claims.set(claim.counter, (entry.claims.get(claim.counter) ?? 0) + claim.bytes);
    for (const claim of claims) this.#remember(claim.counter, now);
    return undefined;
  }

  async renew(holders: readonly string[], ttlMs: number): Promise<string[]> {
    const now = this.#now();
    this.#expireHolders(now);
    const gone: string[] = [];
    for (const name of holders) {
      const entry = this.#holders.get(name);
      if (entry) entry.deadline = now + ttlMs;
      else gone.push(name);
    }
    return gone;
  }

  async settle(holder: string, keep: readonly Commitment[]): Promise<void> {
    const now = this.#now();
    if (this.#settled.has(holder)) return;
    this.#settled.add(holder);
    if (this.#settled.size > SETTLED_MEMORY) this.#settled.delete(this.#settled.values().next().value as string);
    const entry = this.#holders.get(holder);
    this.#holders.delete(holder);
    for (const item of keep) this.#commit(item, now);
    const touched = new Set([...(entry?.claims.keys() ?? []), ...keep.map((k) => k.counter)]);
    for (const counter of touched) this.#remember(counter, now);
  }

  async usage(counter: string): Promise<CounterUsage> {
    const now = this.#now();
    this.#expireHolders(now);
    const usage = { committed: this.#committed(counter, now), reserved: this.#reserved(counter) };
    this.#seen.set(counter, usage.committed + usage.reserved);
    return usage;
  }

  peek(counter: string): number {
    return this.#seen.get(counter) ?? 0;
  }

  #remember(counter: string, now: number): void {
    this.#seen.set(counter, this.#committed(counter, now) + this.#reserved(counter));
  }

  #commit(item: Commitment, now: number): void {
    const counter = this.#counters.get(item.counter) ?? { lasting: 0, expiring: [] };
    this.#counters.set(item.counter, counter);
    if (item.expiresAt === undefined) {
      counter.lasting += item.bytes;
    } else if (item.expiresAt > now) {
      const slot = counter.expiring.find((s) => Math.abs(s.expiresAt - (item.expiresAt as number)) < SLOT_MS);
      if (slot) {
        slot.bytes += item.bytes;
        slot.expiresAt = Math.max(slot.expiresAt, item.expiresAt);
      } else {
        counter.expiring.push({ bytes: item.bytes, expiresAt: item.expiresAt });
        counter.expiring.sort((a, b) => a.expiresAt - b.expiresAt);
        // Too many slots: fold the earliest into the next (later deadline, so bytes are kept longer, never dropped).
        while (counter.expiring.length > MAX_SLOTS) {
          const [first, second] = counter.expiring as [Counter['expiring'][0], Counter['expiring'][0]];
          second.bytes += first.bytes;
          counter.expiring.shift();
        }
      }
    }
    // Clamp: a removal the ledger never saw charged must not drive the counter negative.
    const committed = this.#committed(item.counter, now);
    if (committed < 0) counter.lasting -= committed;
  }

  #committed(name: string, now: number): number {
    const counter = this.#counters.get(name);
    if (!counter) return 0;
    counter.expiring = counter.expiring.filter((slot) => slot.expiresAt > now);
    let total = counter.lasting;
    for (const slot of counter.expiring) total += slot.bytes;
    if (total === 0 && counter.expiring.length === 0) this.#counters.delete(name);
    return total;
  }

  #reserved(counter: string): number {
    let total = 0;
    for (const holder of this.#holders.values()) total += holder.claims.get(counter) ?? 0;
    return total;
  }

  #expireHolders(now: number): void {
    for (const [name, holder] of this.#holders) if (holder.deadline <= now) this.#holders.delete(name);
  }
}

export function createMemoryLedger(options?: MemoryLedgerOptions): Ledger {
  return new MemoryLedger(options);
}
