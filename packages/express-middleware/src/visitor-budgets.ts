/**
 * A visitor's byte limits, as Store budgets: the visitor's total (kept while the attachment lives) and daily
 * bandwidth (every byte received or sent, for 24 h). The middleware only describes them; the Store charges them
 * with the same bytes and in the same reservation as the store's total, so there is one place that meters bytes.
 */
import { AttError, type Budget, isAttError } from '@att/store-core';
import type { Request } from 'express';
import { DAY_MS, type ResolvedOptions } from './options.js';

/** Budgets for an upload by `visitor` starting at `now`. */
export function uploadBudgets(opts: ResolvedOptions, visitor: string, now: number): Budget[] {
  const budgets: Budget[] = [];
  const { ledger } = opts.limits;
  if (Number.isFinite(opts.visitorTotalSizeLimit)) {
    budgets.push({
      ledger,
      counter: `visitor-total:${visitor}`,
      limit: opts.visitorTotalSizeLimit,
      keeps: 'stored',
      // Attachments that never expire count for a day: a visitor's total is about what they hold recently.
      expiresAt: now + (opts.expiry ?? DAY_MS),
      refusal: { code: 'TOO_LARGE', message: 'visitor attachment size limit reached' },
    });
  }
  const bandwidth = bandwidthBudget(opts, visitor, now);
  if (bandwidth) budgets.push(bandwidth);
  return budgets;
}

function bandwidthBudget(opts: ResolvedOptions, visitor: string, now: number): Budget | undefined {
  if (!Number.isFinite(opts.visitorDailyBandwidth)) return undefined;
  return {
    ledger: opts.limits.ledger,
    counter: `visitor-bandwidth:${visitor}`,
    limit: opts.visitorDailyBandwidth,
    keeps: 'received',
    expiresAt: now + DAY_MS,
    refusal: { code: 'RATE_LIMITED', message: 'daily bandwidth limit reached' },
  };
}

/**
 * Charges a download of `bytes` to the visitor's bandwidth before sending. With the shared state down it fails
 * open (warning through `onError`) unless `onStateError: 'closed'`.
 */
export async function chargeDownload(opts: ResolvedOptions, req: Request, bytes: number): Promise<void> {
  const budget = bandwidthBudget(opts, opts.visitor(req), Date.now());
  if (!budget) return;
  try {
    await opts.store.charge([budget], bytes);
  } catch (err) {
    if (!failsOpen(opts, req, err)) throw err;
  }
}

/** True (and reported) when a state outage may be ignored for a download. */
export function failsOpen(opts: ResolvedOptions, req: Request, err: unknown): boolean {
  if (!isAttError(err, 'STATE_UNAVAILABLE') || opts.onStateError === 'closed') return false;
  opts.onError?.(
    new AttError('STATE_UNAVAILABLE', 'shared state unavailable: download served without its limit checks', {
      cause: err,
    }),
    req,
  );
  return true;
}
