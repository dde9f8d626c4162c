/**
 * One write's reservation: the same bytes claimed on the store's total and on each caller budget, grown as the
 * body arrives and settled exactly once. Counters that live in the same Ledger are claimed in one call, so a
 * shared ledger costs one round trip to reserve and one to settle.
 *
 * How a write ends, per counter:
 * | outcome  | store total          | budget `stored`        | budget `received`     |
 * |----------|----------------------|------------------------|-----------------------|
 * | success  | + size − replaced    | + size (until expiry)  | + bytes received      |
 * | failure  | nothing              | nothing                | + bytes received      |
 * Reservations are dropped in both cases.
 */
import { AttError } from '../errors.js';
import { holderName } from '../state/holder-name.js';
import type { Claim, Commitment, Ledger } from '../state/ledger.js';
import type { Accounting } from './accounting.js';
import { type Budget, refusalError } from './budget.js';

export interface StoreTotal {
  accounting: Accounting;
  limit: number | undefined;
}

export class Reservation {
  /** The ledger's name for this reservation: random for one write, derived from the id for detached uploads. */
  readonly holder: string;
  /** Bytes reserved on every counter. */
  reserved = 0;
  /** Set by the renewal loop when a ledger dropped the reservation (expired): the next grow claims it all again. */
  lost = false;
  #settled = false;
  /** The store's total, claimed alongside the budgets; absent for charges outside a write (downloads). */
  readonly #store: StoreTotal | undefined;
  readonly #budgets: readonly Budget[];
  readonly #groups: Map<Ledger, Budget[]>;
  readonly #ttlMs: number;

  constructor(store: StoreTotal | undefined, budgets: readonly Budget[], ttlMs: number, holder?: string) {
    this.holder = holder ?? holderName('write');
    this.#store = store;
    this.#budgets = budgets;
    this.#ttlMs = ttlMs;
    this.#groups = new Map(store ? [[store.accounting.ledger, []]] : []);
    for (const budget of budgets) {
      const group = this.#groups.get(budget.ledger) ?? [];
      group.push(budget);
      this.#groups.set(budget.ledger, group);
    }
  }

  get ledgers(): Iterable<Ledger> {
    return this.#groups.keys();
  }

  get settled(): boolean {
    return this.#settled;
  }

  /**
   * Reserves `needed` more bytes, or up to `ahead` bytes when they are granted (fewer round trips for bodies of
   * unknown length); throws the refusing limit's error. Nothing more is reserved after a refusal.
   */
  async grow(needed: number, ahead = needed): Promise<void> {
    if (ahead > needed) {
      try {
        await this.#reserve(ahead);
        return;
      } catch (err) {
        // Only the slack was refused: the bytes actually needed may still fit.
        if (!(err instanceof AttError) || err.code === 'STATE_UNAVAILABLE') throw err;
      }
    }
    await this.#reserve(needed);
  }

  async #reserve(bytes: number): Promise<void> {
    const again = this.lost ? this.reserved : 0;
    const store = this.#store;
    const refused = await Promise.all(
      [...this.#groups].map(([ledger, budgets]) => {
        const claims: Claim[] = budgets.map((b) => ({ counter: b.counter, bytes: again + bytes, limit: b.limit }));
        if (store && ledger === store.accounting.ledger) {
          claims.push({ counter: store.accounting.counter, bytes: again + bytes, limit: store.limit ?? Infinity });
        }
        return ledger.reserve(this.holder, claims, this.#ttlMs);
      }),
    );
    for (const counter of refused) {
      if (counter === undefined) continue;
      if (store && counter === store.accounting.counter) {
        throw new AttError('QUOTA_EXCEEDED', 'attachment storage is full', { details: { limit: store.limit } });
      }
      const budget = this.#budgets.find((b) => b.counter === counter);
      throw budget ? refusalError(budget) : new AttError('QUOTA_EXCEEDED', `limit reached (${counter})`);
    }
    this.lost = false;
    this.reserved += bytes;
  }

  /** Ends the reservation: `stored` is the object's size on success (undefined: the write failed). */
  async settle(outcome: { stored?: number; replaced?: number; received: number }): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    const { stored, received } = outcome;
    const store = this.#store?.accounting;
    await Promise.all(
      [...this.#groups].map(([ledger, budgets]) => {
        const keep: Commitment[] = [];
        const ours = store !== undefined && ledger === store.ledger;
        if (ours && stored !== undefined) {
          keep.push({ counter: store.counter, bytes: stored - (outcome.replaced ?? 0) });
        }
        for (const budget of budgets) {
          const bytes = budget.keeps === 'received' ? received : (stored ?? 0);
          if (bytes > 0) {
            keep.push({
              counter: budget.counter,
              bytes,
              ...(budget.expiresAt === undefined ? {} : { expiresAt: budget.expiresAt }),
            });
          }
        }
        return ours ? store.settle(this.holder, keep) : ledger.settle(this.holder, keep);
      }),
    );
  }
}
