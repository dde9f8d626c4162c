/**
 * The byte counters behind every limit: the store's total, and any caller budget (a visitor's total, a visitor's
 * daily bandwidth). One contract for all of them, so one Redis (or Postgres, or memory) implementation makes every
 * limit exact across a fleet of processes.
 *
 * Bytes move in two steps. A writer first *reserves* bytes against one or more counters, atomically and all or
 * nothing: a grant means the counters' ceilings hold with those bytes counted. When the write ends it *settles*:
 * its reservations go away and what it keeps is committed. Reservations carry a deadline the writer renews while it
 * works, so the reservations of a process killed mid-write expire by themselves.
 */

/** Bytes one reservation asks of one counter. */
export interface Claim {
  /** The counter's name ("store", "visitor-total:…"): opaque to the ledger, created on first use. */
  counter: string;
  /** Bytes to add to what `holder` already reserves on this counter. A positive safe integer. */
  bytes: number;
  /** Committed + reserved bytes of the counter may not exceed this after the grant. `Infinity`: count only. */
  limit: number;
}

/** Bytes a settling holder keeps on one counter. */
export interface Commitment {
  counter: string;
  /** Added to the counter's committed bytes; negative gives bytes back (a replaced object). */
  bytes: number;
  /** Epoch ms when these bytes leave the counter (a visitor's total, daily bandwidth). Absent: they stay. */
  expiresAt?: number;
}

export interface CounterUsage {
  /** Bytes committed and not yet expired. */
  committed: number;
  /** Bytes held by live (unexpired) reservations. */
  reserved: number;
}

/**
 * Guarantees every implementation gives (checked by `describeStateConformance`):
 * - `reserve` is atomic across all its claims, and across processes: concurrent grants never take a counter past
 *   its limit. Refused → nothing changed.
 * - A holder's reservations expire `ttlMs` after its last `reserve` or `renew`; expired bytes count for nobody.
 * - `settle` drops all of a holder's reservations and applies its commitments, at most once per holder name
 *   (a second settle of the same holder commits nothing).
 * - Committed totals never go below zero (a removal the ledger never saw charged cannot drive a counter negative).
 * - Failures of the shared store reject with AttError `STATE_UNAVAILABLE`.
 */
export interface Ledger {
  /** Reserves every claim under `holder`, or none; resolves to undefined when granted, else the refusing counter. */
  reserve(holder: string, claims: readonly Claim[], ttlMs: number): Promise<string | undefined>;
  /** Moves the deadline of each holder's reservations to `ttlMs` from now; resolves to the holders already gone. */
  renew(holders: readonly string[], ttlMs: number): Promise<string[]>;
  /** Ends `holder`'s reservations and commits `keep` (also usable with a fresh holder name to adjust counters). */
  settle(holder: string, keep: readonly Commitment[]): Promise<void>;
  /** The counter's live bytes. */
  usage(counter: string): Promise<CounterUsage>;
  /** The counter's committed + reserved bytes as this process last saw them (no I/O; 0 before any call). */
  peek(counter: string): number;
}
