/**
 * Size accounting of one Store. The ledger holds stored bytes plus bytes of writes in flight. A write charges each
 * chunk before it is passed on (so the total limit holds under any concurrency) and, when it settles, gives back the
 * size of the object it replaced or, on failure, everything it charged. Listing passes (sync, cleanup) learn about
 * every operation that overlaps them, so they can reconcile without losing in-flight changes.
 */
import type { SizeLedger } from './ledger.js';
import { Reconciler } from './reconcile.js';

export interface SyncResult {
  /** Objects with a valid id the listing found. */
  objects: number;
  /** Their bytes: the Store's new stored total. */
  bytes: number;
}

export class Accounting {
  readonly ledger: SizeLedger;
  /** Bytes charged by writes that have not settled yet. */
  #inflight = 0;
  /** Operations holding an id's lock: id → object size when they began (undefined: absent). */
  readonly #ops = new Map<string, number | undefined>();
  readonly #passes = new Set<Reconciler>();

  constructor(ledger: SizeLedger) {
    this.ledger = ledger;
  }

  /** Bytes of stored objects, without writes in flight. */
  get stored(): number {
    return this.ledger.used - this.#inflight;
  }

  /** Charges `bytes` of a write in flight if the total stays within `limit`; tells whether it did. */
  charge(bytes: number, limit: number | undefined): boolean | Promise<boolean> {
    const settle = (ok: boolean) => {
      if (ok) this.#inflight += bytes;
      return ok;
    };
    const added = this.ledger.tryAdd(bytes, limit);
    return typeof added === 'boolean' ? settle(added) : added.then(settle);
  }

  /** A write ended. On success (`stored` = its size) the replaced object's bytes go back; on failure all it charged. */
  settleWrite(charged: number, before: number | undefined, stored: number | undefined): void {
    this.#inflight -= charged;
    if (stored === undefined) {
      if (charged > 0) this.ledger.add(-charged);
      return;
    }
    const delta = stored - charged - (before ?? 0);
    if (delta !== 0) this.ledger.add(delta);
  }

  /** Bytes left the store (a removal, a cleanup deletion). */
  release(bytes: number): void {
    if (bytes > 0) this.ledger.add(-bytes);
  }

  /** An operation on `id` holds its lock; passes running now learn the size it started from. */
  beginOp(id: string, before: number | undefined, except?: Reconciler): void {
    this.#ops.set(id, before);
    for (const pass of this.#passes) if (pass !== except) pass.begin(id, before);
  }

  /** The operation on `id` ended, leaving an object of `after` bytes (undefined: none). */
  endOp(id: string, after: number | undefined): void {
    this.#ops.delete(id);
    for (const pass of this.#passes) pass.settle(id, after);
  }

  /** Starts recording changes for a listing pass. */
  beginPass(): Reconciler {
    const pass = new Reconciler();
    for (const [id, before] of this.#ops) pass.begin(id, before);
    this.#passes.add(pass);
    return pass;
  }

  endPass(pass: Reconciler): void {
    this.#passes.delete(pass);
  }

  /** Sets the stored total to what the pass found (keeping in-flight charges), if the pass can tell. */
  applyPass(pass: Reconciler): SyncResult | undefined {
    const found = pass.total();
    if (!found) return undefined;
    const stored = this.stored;
    if (found.bytes !== stored) this.ledger.add(found.bytes - stored);
    return found;
  }
}
