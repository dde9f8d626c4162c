/**
 * Budget charges outside a write: a download's bandwidth (charged before the bytes go out), a request body's
 * bandwidth metered as it streams (a tus PATCH), and the refund of a visitor's total when a caller takes back
 * attachments it had just stored (a failed multipart request).
 */
import { holderName } from '../state/holder-name.js';
import { type Budget, checkBudgets } from './budget.js';
import { Reservation } from './reservation.js';

/** Charges `bytes` to every budget or none; throws the refusing budget's error. */
export async function chargeBudgets(budgets: readonly Budget[], bytes: number, ttlMs: number): Promise<void> {
  if (budgets.length === 0 || bytes <= 0) return;
  // Only the budgets are claimed: a download changes nothing in the store's total.
  const reservation = new Reservation(undefined, checkBudgets(budgets), ttlMs);
  try {
    await reservation.grow(bytes);
  } catch (err) {
    await reservation.settle({ received: 0 }).catch(() => {});
    throw err;
  }
  await reservation.settle({ received: bytes });
}

/** A charge that grows as bytes arrive; see Store.meter. */
export interface BudgetMeter {
  /**
   * Reserves `needed` more bytes on every budget (up to `ahead` when granted, fewer round trips); throws the
   * refusing budget's error, and reserves nothing more after a refusal.
   */
  grow(needed: number, ahead?: number): Promise<void>;
  /** Bytes reserved so far. */
  readonly reserved: number;
  /** Commits the bytes that arrived (`received` budgets keep them) and drops the rest of the reservation. */
  settle(received: number): Promise<void>;
}

export function meterBudgets(budgets: readonly Budget[], ttlMs: number): BudgetMeter {
  const reservation = new Reservation(undefined, checkBudgets(budgets), ttlMs);
  return {
    grow: (needed, ahead) => reservation.grow(needed, ahead),
    get reserved() {
      return reservation.reserved;
    },
    settle: (received) => reservation.settle({ received }),
  };
}

/** Gives `bytes` back to the `stored` budgets among `budgets`; `received` budgets keep what they were charged. */
export async function refundBudgets(budgets: readonly Budget[], bytes: number): Promise<void> {
  if (bytes <= 0) return;
  const byLedger = new Map<Budget['ledger'], Budget[]>();
  for (const budget of checkBudgets(budgets)) {
    if (budget.keeps === 'stored') byLedger.set(budget.ledger, [...(byLedger.get(budget.ledger) ?? []), budget]);
  }
  await Promise.all(
    [...byLedger].map(([ledger, list]) =>
      ledger.settle(
        holderName('refund'),
        // The same expiry as the charge, so the refund lands in the same slot and leaves with it.
        list.map((b) => ({
          counter: b.counter,
          bytes: -bytes,
          ...(b.expiresAt === undefined ? {} : { expiresAt: b.expiresAt }),
        })),
      ),
    ),
  );
}
