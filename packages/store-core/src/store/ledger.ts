/**
 * The byte counter behind `store.size`, `store.remaining` and the total limit. Writes charge it chunk by chunk
 * (a live reservation), so concurrent writes can never push it over the limit together.
 *
 * It sits behind an interface so a deployment with several processes can plug in a shared counter (e.g. Redis
 * INCRBY with a Lua check); every operation is a commutative add, which such stores do atomically.
 */
export interface SizeLedger {
  /** Bytes accounted right now: stored objects plus bytes of writes in flight. */
  readonly used: number;
  /** Adds `bytes` only if `used + bytes <= limit` (always when `limit` is undefined); tells whether it did. */
  tryAdd(bytes: number, limit: number | undefined): boolean | Promise<boolean>;
  /** Adds (or, with a negative number, subtracts) unconditionally. */
  add(bytes: number): void | Promise<void>;
}

/** The in-process ledger (the default). */
export class MemorySizeLedger implements SizeLedger {
  #used = 0;

  get used(): number {
    return this.#used;
  }

  tryAdd(bytes: number, limit: number | undefined): boolean {
    if (limit !== undefined && this.#used + bytes > limit) return false;
    this.#used += bytes;
    return true;
  }

  add(bytes: number): void {
    // Clamp at zero: a delete the ledger never saw (another process wrote it) must not drive the total negative.
    this.#used = Math.max(0, this.#used + bytes);
  }
}
