/**
 * Keeps the reservations of running writes alive: one unref'd timer per Store renews every live holder, one call
 * per ledger, every third of the TTL. A process that dies stops renewing, and its reservations expire by
 * themselves; a renewal that finds a reservation gone marks it lost, and its write claims its bytes again.
 */
import type { AttLogger } from '../logging/logger.js';
import type { Reservation } from './reservation.js';

export class Renewals {
  readonly #active = new Set<Reservation>();
  readonly #ttlMs: number;
  readonly #logger: AttLogger;
  #timer: NodeJS.Timeout | undefined;

  constructor(ttlMs: number, logger: AttLogger) {
    this.#ttlMs = ttlMs;
    this.#logger = logger;
  }

  /** Writes running now (prepared and not yet settled): each holds one reservation here. */
  get size(): number {
    return this.#active.size;
  }

  add(reservation: Reservation): void {
    this.#active.add(reservation);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(this.#ttlMs / 3)));
      this.#timer.unref();
    }
  }

  delete(reservation: Reservation): void {
    this.#active.delete(reservation);
    if (this.#active.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  async #renew(): Promise<void> {
    const byLedger = new Map<Reservation['ledgers'] extends Iterable<infer L> ? L : never, Reservation[]>();
    for (const reservation of this.#active) {
      for (const ledger of reservation.ledgers) byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), reservation]);
    }
    await Promise.all(
      [...byLedger].map(async ([ledger, reservations]) => {
        try {
          const gone = new Set(
            await ledger.renew(
              reservations.map((r) => r.holder),
              this.#ttlMs,
            ),
          );
          for (const r of reservations) if (gone.has(r.holder) && !r.settled) r.lost = true;
        } catch (err) {
          this.#logger.warn({ err }, 'could not renew upload reservations');
        }
      }),
    );
  }
}
