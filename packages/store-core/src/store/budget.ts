/**
 * A caller's byte budget, charged by the Store's write path alongside the store's own total: how an HTTP layer
 * limits a visitor's total and daily bandwidth without metering bytes itself. Each budget is a counter in a Ledger.
 */
import { AttError, type AttErrorCode } from '../errors.js';
import type { Ledger } from '../state/ledger.js';

export interface Budget {
  /** The Ledger holding the counter (for an HTTP layer: its LimiterStore's `ledger`). */
  ledger: Ledger;
  /** The counter's name in that ledger, e.g. `visitor-total:<visitor>`. */
  counter: string;
  /** Bytes the counter may hold. */
  limit: number;
  /**
   * What a write keeps on this budget once it ends. `stored`: the attachment's bytes, on success only (a
   * visitor's total). `received`: every byte the write took in, whatever the outcome — bytes that crossed the
   * wire are spent even when the upload fails (daily bandwidth).
   */
  keeps: 'stored' | 'received';
  /** Epoch ms when kept bytes leave the counter; absent: they stay. */
  expiresAt?: number;
  /** What a refusal by this budget is reported as. */
  refusal: { code: AttErrorCode; message: string };
}

export function checkBudgets(budgets: unknown): readonly Budget[] {
  if (budgets === undefined) return [];
  if (!Array.isArray(budgets)) throw new AttError('INVALID_REQUEST', 'budgets must be an array');
  for (const budget of budgets as Partial<Budget>[]) {
    const ok =
      budget !== null &&
      typeof budget === 'object' &&
      typeof budget.counter === 'string' &&
      typeof budget.ledger?.reserve === 'function' &&
      typeof budget.limit === 'number' &&
      budget.limit >= 0 &&
      (budget.keeps === 'stored' || budget.keeps === 'received') &&
      typeof budget.refusal?.code === 'string';
    if (!ok) throw new AttError('INVALID_REQUEST', 'each budget needs ledger, counter, limit, keeps and refusal');
  }
  return budgets as Budget[];
}

export function refusalError(budget: Budget): AttError {
  return new AttError(budget.refusal.code, budget.refusal.message, { details: { limit: budget.limit } });
}
