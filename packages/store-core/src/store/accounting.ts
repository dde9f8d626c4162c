/**
 * Size accounting of one Store on top of its Ledger. The ledger's counter holds committed bytes (stored objects)
 * plus reservations (writes in flight, of every process sharing it). This class adds what only the process that
 * runs an operation can know: which ids are being changed right now, so that listing passes (sync, cleanup) can
 * reconcile the counter with the backend without losing changes that raced the listing (reconcile.ts).
 */
import type { AttLogger } from '../logging/logger.js';
import { holderName } from '../state/holder-name.js';
import type { Commitment, Ledger } from '../state/ledger.js';
import { Reconciler } from './reconcile.js';

export interface SyncResult {
  /** Objects with a valid id the listing found. */
  objects: number;
  /** Their bytes: the Store's new stored total. */
  bytes: number;
}

export interface AccountingHooks {
  /** A listing pass corrected the committed total by `drift` bytes (0: it was right); the Store's `sync` event. */
  onPassApplied?: (found: SyncResult, drift: number) => void;
}

export class Accounting {
  readonly ledger: Ledger;
  /** The ledger counter of this Store's total. */
  readonly counter: string;
  readonly #logger: AttLogger;
  /** Operations holding an id's lock: id → object size when they began (undefined: absent). */
  readonly #ops = new Map<string, number | undefined>();
  readonly #passes = new Set<Reconciler>();
  /** Ledger updates not awaited by their caller (cleanup deletions); `flush()` waits for them. */
  readonly #pending = new Set<Promise<void>>();
  /** While a sync correction reads and fixes the counter, this process's settlements wait (so none is lost). */
  #gate: Promise<void> | undefined;

  readonly #hooks: AccountingHooks;

  constructor(ledger: Ledger, counter: string, logger: AttLogger, hooks: AccountingHooks = {}) {
    this.#hooks = hooks;
    this.ledger = ledger;
    this.counter = counter;
    this.#logger = logger;
  }

  /** Stored plus reserved bytes as this process last saw them (exact for a ledger only this process uses). */
  get used(): number {
    return this.ledger.peek(this.counter);
  }

  /** Ends a holder's reservations with `keep` committed, after any running sync correction. */
  async settle(holder: string, keep: readonly Commitment[]): Promise<void> {
    while (this.#gate) await this.#gate;
    await this.ledger.settle(holder, keep);
  }

  /** Bytes left the store (a removal, a cleanup deletion). */
  release(bytes: number): Promise<void> {
    if (bytes <= 0) return Promise.resolve();
    const done = this.settle(holderName('release'), [{ counter: this.counter, bytes: -bytes }]).catch((err: unknown) =>
      this.#logger.warn({ err }, 'could not record freed bytes; the next sync() corrects it'),
    );
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
    return done;
  }

  /** Waits for ledger updates started without waiting (releases, sync corrections). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
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

  /**
   * Sets the committed total to what the pass found, if the pass can tell. Settlements of this process wait
   * meanwhile, so the counter and the pass describe the same moment; other processes' settlements cannot be
   * held, and a write of theirs that settles during the correction may leave a drift the next pass removes.
   */
  applyPass(pass: Reconciler): SyncResult | undefined {
    const found = pass.total();
    if (!found) return undefined;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.#gate = gate;
    const done = (async () => {
      try {
        const { committed } = await this.ledger.usage(this.counter);
        const drift = found.bytes - committed;
        if (drift !== 0) await this.ledger.settle(holderName('sync'), [{ counter: this.counter, bytes: drift }]);
        this.#hooks.onPassApplied?.(found, drift);
      } catch (err) {
        this.#logger.warn({ err }, 'could not correct the stored total from a listing');
      } finally {
        if (this.#gate === gate) this.#gate = undefined;
        open();
      }
    })();
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
    return found;
  }
}
