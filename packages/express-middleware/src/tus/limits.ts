/**
 * Every limit a resumable upload meets, behind one small interface: the tus handlers say what happened (an upload
 * was declared, bytes arrived, it was published or dropped) and this module asks the owners of the rules.
 *
 * | event                    | file limit / store total            | visitor total (reserved → kept) | bandwidth        |
 * | POST with Upload-Length  | 413 / 507 before any byte           | reserved under the upload's id  |                  |
 * | PATCH                    | deferred length: checked as it grows| reservation renewed / grown     | + bytes received |
 * | published                | object counted by the store         | reservation → kept (expiring)   |                  |
 * | terminated / expired     |                                     | reservation dropped             |                  |
 * A reservation lives as long as an idle upload does (the store's `staleUploadAge`), renewed by each PATCH, so a
 * stalled upload's bytes come back by themselves when cleanup removes it.
 */
import { AttError, type Budget, type Claim, type Store } from '@att/store-core';
import type { Request } from 'express';
import type { ResolvedOptions } from '../options.js';
import { uploadBudgets } from '../visitor-budgets.js';

export interface UploadLimits {
  /** How long an idle upload lives: the store's `staleUploadAge` (cleanup removes it after that). */
  readonly idleLifetime: number;
  /** At creation, before any byte: refuses a length over a limit (413, 507, the visitor's), else reserves it. */
  admit(req: Request, id: string, length: number | undefined): Promise<void>;
  /** At each PATCH: keeps the reservation alive (or takes it again if it lapsed while the upload idled). */
  renew(req: Request, id: string, length: number | undefined): Promise<void>;
  /** A deferred length grew by `bytes` to `total`: checked and reserved as the bytes arrive. */
  grow(req: Request, id: string, bytes: number, total: number): Promise<void>;
  /** Bytes that crossed the wire for this upload (kept even when the request then failed). */
  received(req: Request, bytes: number): Promise<void>;
  /** The upload is now the attachment of `size` bytes: reservations become what the visitor keeps. */
  published(req: Request, id: string, size: number): Promise<void>;
  /** The upload is gone without an attachment: its reservations go back. */
  dropped(id: string): Promise<void>;
}

function holderOf(id: string): string {
  return `tus:${id}`;
}

export function createUploadLimits(opts: ResolvedOptions, store: Store, maxSize: number): UploadLimits {
  // The store owns the rule: an upload idle for its staleUploadAge is what its cleanup removes.
  const idleLifetime = store.limits.staleUploadAge;
  const { ledger } = opts.limits;
  const budget = (req: Request, keeps: Budget['keeps']): Budget | undefined =>
    uploadBudgets(opts, opts.visitor(req), Date.now()).find((b) => b.keeps === keeps);

  function checkSize(total: number): void {
    if (total > maxSize) {
      throw new AttError('TOO_LARGE', `the upload exceeds the size limit of ${maxSize} bytes`, {
        details: { limit: maxSize },
      });
    }
    if (total > store.remaining) {
      throw new AttError('QUOTA_EXCEEDED', 'attachment storage is full', {
        details: { limit: store.limits.totalSizeLimit },
      });
    }
  }

  async function reserve(req: Request, id: string, bytes: number): Promise<void> {
    const total = budget(req, 'stored');
    if (!total || bytes <= 0) return;
    const claim: Claim = { counter: total.counter, bytes, limit: total.limit };
    const refused = await ledger.reserve(holderOf(id), [claim], idleLifetime);
    if (refused !== undefined) throw new AttError(total.refusal.code, total.refusal.message);
  }

  return {
    idleLifetime,
    async admit(req, id, length) {
      if (length === undefined) return;
      checkSize(length);
      await reserve(req, id, length);
    },
    async renew(req, id, length) {
      const gone = await ledger.renew([holderOf(id)], idleLifetime);
      if (gone.length > 0 && length !== undefined) await reserve(req, id, length);
    },
    async grow(req, id, bytes, total) {
      checkSize(total);
      await reserve(req, id, bytes);
    },
    async received(req, bytes) {
      const bandwidth = budget(req, 'received');
      if (bandwidth && bytes > 0) await store.charge([bandwidth], bytes);
    },
    async published(req, id, size) {
      const total = budget(req, 'stored');
      const keep = total
        ? [{ counter: total.counter, bytes: size, ...(total.expiresAt ? { expiresAt: total.expiresAt } : {}) }]
        : [];
      await ledger.settle(holderOf(id), keep);
    },
    async dropped(id) {
      await ledger.settle(holderOf(id), []);
    },
  };
}
