/**
 * The Store's write path, as one object per write. `prepare` checks the arguments and reserves the declared size
 * (or a first slice of an unknown one) against the store's total and every caller budget before any byte is read;
 * `write` streams the body into the backend under the id's lock, growing the reservation as bytes arrive, and
 * settles it exactly once (reservation.ts says what each outcome keeps). This is the only place att charges bytes.
 */
import type { Backend, ObjectInfo } from '../backend.js';
import { AttError, isAttError } from '../errors.js';
import { elapsedMs, failureCode, type StoreEvents } from '../events/store-events.js';
import type { AttLogger } from '../logging/logger.js';
import { meter } from '../meter.js';
import { contentDispositionFor } from '../serving/content-disposition.js';
import { type ByteSource, checkByteSource, throwIfAborted } from '../streams.js';
import type { Accounting } from './accounting.js';
import {
  type Attachment,
  checkContentType,
  hasOwnExpiry,
  isOwnExpiry,
  toAttachment,
  toMetadata,
} from './attachment.js';
import { checkBudgets } from './budget.js';
import { keepsIndex, putMarker } from './expiry-index.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Renewals } from './renewals.js';
import { Reservation } from './reservation.js';
import type { WriteOptions } from './types.js';

const MAX_FILENAME = 1024;

/** What a write needs from its Store. */
export interface WriteContext {
  backend: Backend;
  accounting: Accounting;
  lock: KeyedLock;
  renewals: Renewals;
  logger: AttLogger;
  /** Where `write` and `writeFailed` are reported (events/store-events.ts). */
  events: StoreEvents;
  fileSizeLimit: number | undefined;
  totalSizeLimit: number | undefined;
  expiry: number | undefined;
  reservationTtl: number;
  reserveAhead: number;
  now: () => number;
  /** The stored object under an id, undefined when there is none. */
  headOf: (id: string) => Promise<ObjectInfo | undefined>;
}

/** A write whose limits are checked and whose first bytes are reserved; `write` it or `cancel` it. */
/** A failed overwrite whose outcome the backend could not tell: the old object is assumed still there. */
const KEPT = Symbol('kept');

export class PendingWrite {
  readonly id: string;
  readonly #ctx: WriteContext;
  readonly #options: WriteOptions;
  readonly #fileLimit: number;
  readonly #reservation: Reservation;
  /** `performance.now()` when `prepare` began: the write's reported duration starts there. */
  readonly #since: number;
  #started = false;
  /** Body bytes read so far (a failed write reports them). */
  #received = 0;

  private constructor(
    ctx: WriteContext,
    id: string,
    options: WriteOptions,
    fileLimit: number,
    r: Reservation,
    since: number,
  ) {
    this.#ctx = ctx;
    this.#since = since;
    this.id = id;
    this.#options = options;
    this.#fileLimit = fileLimit;
    this.#reservation = r;
  }

  /** Checks `options` and reserves; throws TOO_LARGE, QUOTA_EXCEEDED or a budget's refusal before any byte. */
  static async prepare(ctx: WriteContext, id: string, options: WriteOptions): Promise<PendingWrite> {
    const since = performance.now();
    try {
      return await PendingWrite.#prepare(ctx, id, options, since);
    } catch (err) {
      if (ctx.events.wants('writeFailed')) {
        ctx.events.emit('writeFailed', { id, code: failureCode(err), bytesReceived: 0, durationMs: elapsedMs(since) });
      }
      throw err;
    }
  }

  static async #prepare(ctx: WriteContext, id: string, options: WriteOptions, since: number): Promise<PendingWrite> {
    checkFacts(options);
    const { size, signal } = options;
    const fileLimit = Math.min(ctx.fileSizeLimit ?? Infinity, options.limit ?? Infinity);
    if (size !== undefined) {
      if (!Number.isSafeInteger(size) || size < 0) throw new AttError('INVALID_REQUEST', 'size must be an integer ≥ 0');
      if (size > fileLimit) throw tooLarge(fileLimit);
    }
    const budgets = checkBudgets(options.budgets);
    throwIfAborted(signal, 'upload');
    const store = { accounting: ctx.accounting, limit: ctx.totalSizeLimit };
    const reservation = new Reservation(store, budgets, ctx.reservationTtl);
    ctx.renewals.add(reservation);
    try {
      // A declared size is reserved whole; an unknown one a slice at a time, and at least one byte, so that an
      // exhausted limit refuses before any byte is read.
      if (size !== undefined) await reservation.grow(size);
      else await reservation.grow(1, Math.min(ctx.reserveAhead, fileLimit));
    } catch (err) {
      await reservation.settle({ received: 0 }).catch(() => {});
      ctx.renewals.delete(reservation);
      throw err;
    }
    return new PendingWrite(ctx, id, options, fileLimit, reservation, since);
  }

  /** Gives the reservation back without writing (the caller changed its mind before sending any byte). */
  async cancel(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      await this.#reservation.settle({ received: 0 });
    } finally {
      this.#ctx.renewals.delete(this.#reservation);
    }
  }

  /** Streams `body` into the backend; `facts` add to (and override) the options given to `prepare`. */
  async write(body: ByteSource, facts: Pick<WriteOptions, 'contentType' | 'filename'> = {}): Promise<Attachment> {
    if (this.#started) throw new AttError('INVALID_REQUEST', 'a prepared write can be written once');
    this.#started = true;
    const options = { ...this.#options, ...facts };
    try {
      checkByteSource(body);
      checkFacts(options);
      const attachment = await this.#ctx.lock.run(this.id, () => this.#stream(body, options));
      const { events } = this.#ctx;
      if (events.wants('write')) {
        events.emit('write', { id: this.id, size: attachment.size, durationMs: elapsedMs(this.#since) });
      }
      return attachment;
    } catch (err) {
      await this.#reservation.settle({ received: 0 }).catch(() => {});
      const { events } = this.#ctx;
      if (events.wants('writeFailed')) {
        const bytesReceived = this.#received;
        events.emit('writeFailed', {
          id: this.id,
          code: failureCode(err),
          bytesReceived,
          durationMs: elapsedMs(this.#since),
        });
      }
      throw err;
    } finally {
      this.#ctx.renewals.delete(this.#reservation);
    }
  }

  async #stream(body: ByteSource, options: WriteOptions): Promise<Attachment> {
    const { accounting, backend } = this.#ctx;
    const { id } = this;
    const { signal, size } = options;
    const reservation = this.#reservation;
    throwIfAborted(signal, 'upload');
    // The size of the object this write replaces is only needed when the write settles, so the `head` runs
    // while the bytes stream instead of delaying the first one. The body does not end (see `beforeEnd`) until
    // the head has answered and the operation is registered, and backends publish only after the body's end:
    // the head can never see this write's own object. Ids the caller just generated need no head at all.
    let before: number | undefined;
    let begun = false;
    let over = false;
    const found = options.isNew ? Promise.resolve(undefined) : this.#ctx.headOf(id);
    const learned = found.then((info) => {
      if (over) return;
      before = info?.size;
      accounting.beginOp(id, before);
      begun = true;
    });
    learned.catch(() => {});
    // The expiry index (expiry-index.ts) learns of an own expiry, or of one dropped by a rewrite, before the
    // object is published: the body does not end until the marker is stored, and a marker that fails fails the write.
    const createdAt = new Date(this.#ctx.now());
    let marker: string | undefined;
    const marked = keepsIndex(backend) ? this.#mark(found, options, createdAt) : Promise.resolve(undefined);
    marked.then(
      (key) => {
        marker = key;
      },
      () => {},
    );
    const ready = async (): Promise<void> => {
      await Promise.all([learned, marked]);
    };

    let received = 0;
    let limitError: AttError | undefined;
    // A write over a limit is doomed: its reservation goes back at once, not after the backend has cleaned up,
    // so concurrent writes can use the space meanwhile (else a crowd of doomed writes could starve every other).
    const refuse = async (error: AttError): Promise<never> => {
      limitError = error;
      await reservation.settle({ received });
      throw error;
    };
    const charge = (bytes: number): void | Promise<void> => {
      received += bytes;
      this.#received = received;
      if (received > this.#fileLimit) return refuse(tooLarge(this.#fileLimit));
      if (received <= reservation.reserved && !reservation.lost) return;
      const needed = received - reservation.reserved;
      const ahead = Math.min(this.#ctx.reserveAhead, this.#fileLimit - reservation.reserved);
      return reservation.grow(needed, Math.max(needed, ahead)).catch((err: unknown) => {
        if (isAttError(err) && err.code !== 'STATE_UNAVAILABLE') return refuse(err);
        throw err;
      });
    };
    const expiry = this.#ctx.expiry;
    const expiresAt = options.expiresAt ?? (expiry === undefined ? undefined : new Date(createdAt.getTime() + expiry));
    const filename = options.filename;
    const metadata = toMetadata({
      createdAt,
      ...(filename === undefined ? {} : { filename }),
      ...(expiresAt ? { expiresAt } : {}),
    });
    const contentType = checkContentType(options.contentType);
    const contentDisposition = contentDispositionFor({ id, filename, contentType });
    let info: Awaited<ReturnType<Backend['put']>>;
    try {
      const metered = meter(body, { signal, expectedSize: size, onChunk: charge, beforeEnd: ready });
      info = await backend.put(id, metered, { size, contentType, metadata, contentDisposition, signal });
      // Only a backend that published without reading the body to its end gets here first (contract breach).
      await ready();
    } catch (err) {
      over = true;
      // This write's marker is newer than any object under the id, so cleanup would ignore it: tidy it now.
      await marked.catch(() => undefined);
      if (marker !== undefined) await backend.delete([marker]).catch(() => {});
      await reservation.settle({ received }).catch(() => {});
      if (begun) await this.#settleFailedOverwrite(before);
      if (limitError) throw limitError;
      if (signal?.aborted && !isAttError(err, 'ABORTED'))
        throw new AttError('ABORTED', 'upload aborted', { cause: err });
      throw err;
    }
    over = true;
    try {
      await reservation.settle({ stored: received, replaced: before ?? 0, received });
    } catch (err) {
      // The object is stored but no limit knows it: take a new object back rather than leave it uncounted.
      if (before === undefined) await backend.delete(marker ? [id, marker] : [id]).catch(() => {});
      accounting.endOp(id, before === undefined ? undefined : received);
      this.#ctx.logger.warn({ id, err }, 'could not record an upload in the shared state');
      throw err;
    }
    accounting.endOp(id, received);
    return toAttachment(id, { ...info, size: received }, expiry);
  }

  /**
   * Ends a failed write's operation with what the id now holds. A failed write normally leaves the object it
   * would have replaced, but not always: a backend that published the body and then took it back (a PUT whose
   * ETag showed corrupted bytes, S3 having already replaced the old object atomically) leaves nothing. So a
   * failed overwrite asks the backend once; when the old object is gone its bytes leave the total, as a removal's
   * would. If the backend cannot answer, the old object is assumed kept (the next sync() corrects a wrong guess).
   */
  async #settleFailedOverwrite(before: number | undefined): Promise<void> {
    const { accounting } = this.#ctx;
    if (before === undefined) {
      accounting.endOp(this.id, undefined);
      return;
    }
    const now = await this.#ctx.headOf(this.id).catch(() => KEPT);
    if (now !== undefined) {
      accounting.endOp(this.id, before);
      return;
    }
    accounting.endOp(this.id, undefined);
    await accounting.release(before).catch(() => {});
  }

  /** Stores the write's marker: its own expiry, or 'none' when it replaces an object that had one. */
  async #mark(
    found: Promise<ObjectInfo | undefined>,
    options: WriteOptions,
    createdAt: Date,
  ): Promise<string | undefined> {
    const { backend, expiry } = this.#ctx;
    const { expiresAt } = options;
    // An expiresAt within a second of the default is the default (what hasOwnExpiry reads back): no marker.
    if (expiresAt !== undefined && isOwnExpiry(expiresAt, createdAt, expiry)) {
      return putMarker(backend, this.id, expiresAt);
    }
    const replaced = await found;
    if (replaced && hasOwnExpiry(replaced, expiry)) return putMarker(backend, this.id, undefined);
    return undefined;
  }
}

function checkFacts(options: WriteOptions): void {
  const { filename } = options;
  if (filename !== undefined && (typeof filename !== 'string' || encodeURIComponent(filename).length > MAX_FILENAME)) {
    // Measured percent-encoded, as stored: all metadata must fit S3's 2 KiB.
    throw new AttError('INVALID_REQUEST', `filename must be a string of at most ${MAX_FILENAME} bytes percent-encoded`);
  }
  checkContentType(options.contentType);
}

function tooLarge(limit: number): AttError {
  return new AttError('TOO_LARGE', `attachment exceeds the size limit of ${limit} bytes`, { details: { limit } });
}
