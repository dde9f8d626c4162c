/**
 * Reservations that outlive a request: resumable (tus) uploads, whose bytes arrive over many requests and maybe
 * many processes, and direct-to-bucket uploads, whose bytes never pass through this process at all. Such an
 * upload reserves its size when it is created, keeps the reservation alive while it makes progress, and settles
 * it when its object is published (or when it is abandoned). The ledger holder is derived from the id, so any
 * process of a fleet can renew or settle it; an upload nobody finishes frees its bytes when its TTL runs out.
 *
 * | step            | store total                   | `stored` budgets    | `received` budgets       |
 * |-----------------|-------------------------------|---------------------|--------------------------|
 * | reserve / grow  | + bytes reserved              | + bytes reserved    | + bytes reserved         |
 * | finish          | reservation → object's size   | → object's size     | → `received` (if given)  |
 * | abandon         | reservation dropped           | dropped             | → `received` (if given)  |
 */
import type { Backend, ObjectInfo } from '../backend.js';
import { AttError } from '../errors.js';
import type { Accounting } from './accounting.js';
import { type Attachment, toAttachment } from './attachment.js';
import { type Budget, checkBudgets } from './budget.js';
import { keepsIndex, putMarker } from './expiry-index.js';
import type { KeyedLock } from './keyed-lock.js';
import { Reservation } from './reservation.js';

export interface DetachedUploadContext {
  backend: Backend;
  accounting: Accounting;
  lock: KeyedLock;
  totalSizeLimit: number | undefined;
  fileSizeLimit: number | undefined;
  expiry: number | undefined;
  /** Throws INVALID_ID (or the closed-store error) before anything is reserved or settled. */
  checkId: (id: string) => void;
}

export interface ReserveUploadOptions {
  /** Bytes to reserve now: the declared length, or what has arrived so far of a deferred one. */
  bytes: number;
  /** The upload's own per-file limit on top of the store's `fileSizeLimit`. */
  limit?: number;
  budgets?: readonly Budget[];
  /** How long the reservation lives without a renewal (tus: `staleUploadAge`; direct: the URL's lifetime). */
  ttlMs: number;
  /**
   * The upload's own expiry, when its metadata says another than the store's default (given once, when the upload
   * is declared): recorded in the expiry index before any byte can be stored, so cleanup honours it.
   */
  expiresAt?: Date;
}

export interface SettleUploadOptions {
  budgets?: readonly Budget[];
  /** Bytes that crossed the wire for this upload, kept by `received` budgets whatever the outcome. */
  received?: number;
}

const holderOf = (id: string) => `upload-${id}`;

export class DetachedUploads {
  readonly #ctx: DetachedUploadContext;

  constructor(ctx: DetachedUploadContext) {
    this.#ctx = ctx;
  }

  /** Reserves `bytes` more for upload `id` (all budgets and the store total, or none); throws the refusal. */
  async reserve(id: string, options: ReserveUploadOptions): Promise<void> {
    this.#ctx.checkId(id);
    const { bytes, ttlMs } = options;
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new AttError('INVALID_REQUEST', 'bytes must be an integer ≥ 0');
    const fileLimit = Math.min(this.#ctx.fileSizeLimit ?? Infinity, options.limit ?? Infinity);
    if (bytes > fileLimit) {
      throw new AttError('TOO_LARGE', `attachment exceeds the size limit of ${fileLimit} bytes`, {
        details: { limit: fileLimit },
      });
    }
    await this.#reservation(id, options.budgets, ttlMs).grow(bytes);
    if (options.expiresAt !== undefined && keepsIndex(this.#ctx.backend)) {
      await putMarker(this.#ctx.backend, id, options.expiresAt);
    }
  }

  /** Keeps upload `id`'s reservation alive for `ttlMs` more; false when it already expired (reserve it again). */
  async renew(id: string, ttlMs: number, budgets: readonly Budget[] = []): Promise<boolean> {
    this.#ctx.checkId(id);
    const ledgers = new Set([this.#ctx.accounting.ledger, ...checkBudgets(budgets).map((b) => b.ledger)]);
    const gone = await Promise.all([...ledgers].map((ledger) => ledger.renew([holderOf(id)], ttlMs)));
    return gone.every((list) => list.length === 0);
  }

  /**
   * Publishes upload `id` under its lock — `publish` makes the object visible (tus: complete; direct: the HEAD
   * that confirms it) and resolves to its info — then settles the reservation with its size. When `publish`
   * throws, the reservation is given back and the error passes through.
   */
  async finish(
    id: string,
    publish: () => Promise<ObjectInfo>,
    options: SettleUploadOptions & { replaced?: number } = {},
  ): Promise<Attachment> {
    this.#ctx.checkId(id);
    const { accounting, lock } = this.#ctx;
    const info = await lock.run(id, async () => {
      const reservation = this.#reservation(id, options.budgets, 1);
      accounting.beginOp(id, options.replaced);
      let published: ObjectInfo;
      try {
        published = await publish();
      } catch (err) {
        accounting.endOp(id, options.replaced);
        await reservation.settle({ received: options.received ?? 0 }).catch(() => {});
        throw err;
      }
      accounting.endOp(id, published.size);
      await reservation.settle({
        stored: published.size,
        replaced: options.replaced ?? 0,
        received: options.received ?? 0,
      });
      return published;
    });
    return toAttachment(id, info, this.#ctx.expiry);
  }

  /** Gives upload `id`'s reservation back (terminated, expired, refused after the fact). */
  async abandon(id: string, options: SettleUploadOptions = {}): Promise<void> {
    this.#ctx.checkId(id);
    await this.#reservation(id, options.budgets, 1).settle({ received: options.received ?? 0 });
  }

  #reservation(id: string, budgets: readonly Budget[] | undefined, ttlMs: number): Reservation {
    const store = { accounting: this.#ctx.accounting, limit: this.#ctx.totalSizeLimit };
    return new Reservation(store, checkBudgets(budgets), ttlMs, holderOf(id));
  }
}
