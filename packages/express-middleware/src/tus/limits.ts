/**
 * Every limit a resumable upload meets, behind one small interface: the tus handlers say what happened (an upload
 * was declared, bytes arrived, it was published or dropped) and the Store, the one owner of byte limits, charges
 * them (`store.uploads`: reservations that outlive a request, held under an id-derived holder with a TTL).
 *
 * | event                    | store total + visitor total (one reservation) | bandwidth              |
 * | POST with Upload-Length  | 413 / 507 before any byte, else reserved      |                        |
 * | PATCH                    | renewed (reserved again if it lapsed);        | + bytes, as they arrive|
 * |                          | a deferred length reserves as it grows        |                        |
 * | published                | reservation → the stored object's size        |                        |
 * | terminated / expired     | reservation dropped                           |                        |
 * A reservation lives as long as an idle upload does (the store's `staleUploadAge`), so a stalled upload's bytes
 * come back by themselves, at the latest when cleanup removes the upload.
 */
import { type Attachment, AttError, type Budget, type ObjectInfo, type Store } from '@att/store-core';
import type { Request } from 'express';
import type { ResolvedOptions } from '../options.js';
import { uploadBudgets } from '../visitor-budgets.js';
import { type BandwidthMeter, meterBandwidth } from './bandwidth.js';

export interface UploadLimits {
  /** How long an idle upload lives: the store's `staleUploadAge` (cleanup removes it after that). */
  readonly idleLifetime: number;
  /** At creation, before any byte: refuses a length over a limit (413, 507, the visitor's), else reserves it. */
  admit(req: Request, id: string, length: number | undefined): Promise<void>;
  /** At each PATCH: keeps the reservation alive, or takes `held` bytes again if it lapsed while the upload idled. */
  renew(req: Request, id: string, held: number): Promise<void>;
  /** A deferred length grew by `bytes` to `total`: checked and reserved as the bytes arrive. */
  grow(req: Request, id: string, bytes: number, total: number): Promise<void>;
  /** Meters one request's body against the visitor's bandwidth as it streams (kept even if the request fails). */
  bandwidth(req: Request): BandwidthMeter;
  /** Publishes the upload (`complete`) and turns its reservation into the stored object's size. */
  publish(req: Request, id: string, complete: () => Promise<ObjectInfo>): Promise<Attachment>;
  /** The upload is gone without an attachment: its reservation goes back. */
  dropped(req: Request | undefined, id: string): Promise<void>;
}

export function createUploadLimits(opts: ResolvedOptions, store: Store, maxSize: number): UploadLimits {
  const idleLifetime = store.limits.staleUploadAge;
  const budgets = (req: Request, keeps: Budget['keeps']): Budget[] =>
    uploadBudgets(opts, opts.visitor(req), Date.now()).filter((b) => b.keeps === keeps);

  function checkTotal(total: number): void {
    if (total > maxSize) {
      throw new AttError('TOO_LARGE', `the upload exceeds the size limit of ${maxSize} bytes`, {
        details: { limit: maxSize },
      });
    }
  }

  const reserve = (req: Request, id: string, bytes: number) =>
    store.uploads.reserve(id, { bytes, limit: maxSize, budgets: budgets(req, 'stored'), ttlMs: idleLifetime });

  return {
    idleLifetime,
    async admit(req, id, length) {
      if (length === undefined) return;
      checkTotal(length);
      await reserve(req, id, length);
    },
    async renew(req, id, held) {
      const alive = await store.uploads.renew(id, idleLifetime, budgets(req, 'stored'));
      if (!alive && held > 0) await reserve(req, id, held);
    },
    async grow(req, id, bytes, total) {
      checkTotal(total);
      if (bytes > 0) await reserve(req, id, bytes);
    },
    bandwidth(req) {
      return meterBandwidth(store, budgets(req, 'received'));
    },
    publish(req, id, complete) {
      return store.uploads.finish(id, complete, { budgets: budgets(req, 'stored') });
    },
    async dropped(req, id) {
      await store.uploads.abandon(id, req ? { budgets: budgets(req, 'stored') } : {});
    },
  };
}
