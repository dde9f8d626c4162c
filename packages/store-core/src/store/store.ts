/**
 * The Store: ids, size accounting (accounting.ts), the write path with its limits (write.ts) and expiry on top of
 * any Backend. Writes, removals and cleanup deletions of one id run one at a time (a per-id lock), so the size of
 * a replaced object, learned by `head` under that lock, is given back exactly once.
 */
import type { Backend, ByteRange, GetResult, ObjectInfo } from '../backend.js';
import { AttError, isAttError } from '../errors.js';
import type { StoreEventMap, StoreEventName } from '../events/channels.js';
import { StoreEvents, type StoreListener } from '../events/store-events.js';
import { type AttLogger, attLogger } from '../logging/logger.js';
import { defaultRegistry } from '../registry.js';
import { createMemoryLease } from '../state/memory-lease.js';
import { MemoryLedger } from '../state/memory-ledger.js';
import type { ByteSource } from '../streams.js';
import { Accounting, type SyncResult } from './accounting.js';
import { type Attachment, toAttachment } from './attachment.js';
import type { Budget } from './budget.js';
import { type BudgetMeter, chargeBudgets, meterBudgets, refundBudgets } from './budget-charges.js';
import { type CheckOptions, checkStore } from './check.js';
import type { CleanupResult } from './cleanup.js';
import { CleanupRunner } from './cleanup-runner.js';
import { DetachedUploads } from './detached-uploads.js';
import { isReservedKey } from './expiry-index.js';
import { KeyedLock } from './keyed-lock.js';
import {
  checkStoreOptions,
  configError,
  DEFAULT_ID_PATTERN,
  DEFAULT_RESERVATION_TTL,
  DEFAULT_RESERVE_AHEAD,
  HOUR,
  type StoreOptions,
} from './options.js';
import { headOf, removeAttachments } from './removal.js';
import { Renewals } from './renewals.js';
import { resyncFromListing } from './resync.js';
import type { ReadResult, StoreLimits, StoreUsage, WriteOptions } from './types.js';
import { PendingWrite, type WriteContext } from './write.js';

export type { ReadResult, StoreLimits, StoreUsage, WriteOptions } from './types.js';

function plainPattern(pattern: RegExp): RegExp {
  // A /g or /y pattern keeps state between test() calls; validation must not depend on call history.
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

export class Store {
  readonly backend: Backend;
  readonly #ownsBackend: boolean;
  readonly #options: StoreOptions;
  readonly #idPattern: RegExp;
  readonly #accounting: Accounting;
  readonly #lock = new KeyedLock();
  /** Cleanup passes: one at a time, under the fleet's lease, on a timer if started (cleanup-runner.ts). */
  readonly #cleanup: CleanupRunner;
  readonly #now: () => number;
  readonly #writer: WriteContext;
  readonly #renewals: Renewals;
  /** Uploads that outlive a request (tus) or bypass this process (direct to the bucket): detached-uploads.ts. */
  readonly uploads: DetachedUploads;
  readonly #logger: AttLogger;
  /** Typed events (`on`) and their diagnostics channels: events/store-events.ts. */
  readonly #events: StoreEvents;
  #closed = false;

  constructor(options: StoreOptions) {
    checkStoreOptions(options);
    this.#options = options;
    const { backend } = options;
    if (typeof backend === 'string' || backend instanceof URL) {
      this.backend = (options.registry ?? defaultRegistry).resolve(backend, options.backendOptions);
      this.#ownsBackend = true;
    } else {
      this.backend = backend;
      this.#ownsBackend = false;
    }
    this.#idPattern = plainPattern(options.idPattern ?? DEFAULT_ID_PATTERN);
    const logger = attLogger(options.logger);
    this.#logger = logger;
    const events = new StoreEvents(this, logger);
    this.#events = events;
    this.#accounting = new Accounting(options.ledger ?? new MemoryLedger(), options.ledgerKey ?? 'store', logger, {
      onPassApplied: (found, drift) => {
        if (events.wants('sync')) events.emit('sync', { ...found, drift });
      },
    });
    this.#now = options.now ?? Date.now;
    this.#cleanup = new CleanupRunner(
      {
        backend: this.backend,
        options,
        accounting: this.#accounting,
        lock: this.#lock,
        lease: options.lease ?? createMemoryLease(),
        events,
        logger,
        now: this.#now,
        isValidId: (key) => this.isValidId(key),
      },
      () => this.cleanup(),
    );
    const reservationTtl = options.reservationTtl ?? DEFAULT_RESERVATION_TTL;
    this.#renewals = new Renewals(reservationTtl, logger);
    this.uploads = new DetachedUploads({
      backend: this.backend,
      accounting: this.#accounting,
      lock: this.#lock,
      totalSizeLimit: options.totalSizeLimit,
      fileSizeLimit: options.fileSizeLimit,
      expiry: options.expiry,
      checkId: (id) => {
        this.#checkOpen();
        this.checkId(id);
      },
    });
    this.#writer = {
      backend: this.backend,
      accounting: this.#accounting,
      lock: this.#lock,
      renewals: this.#renewals,
      logger,
      events,
      fileSizeLimit: options.fileSizeLimit,
      totalSizeLimit: options.totalSizeLimit,
      expiry: options.expiry,
      reservationTtl,
      reserveAhead: options.reserveAhead ?? DEFAULT_RESERVE_AHEAD,
      now: this.#now,
      headOf: (id) => headOf(this.backend, id),
    };
  }

  /**
   * Listens to one of the Store's events (`write`, `writeFailed`, `remove`, `expire`, `cleanup`, `sync`; payloads in
   * events/channels.ts); returns the function that stops listening. The same events, with `store` added, go to
   * the `att:store:*` diagnostics channels for process-wide listeners.
   */
  on<K extends StoreEventName>(event: K, listener: (payload: StoreEventMap[K]) => void): () => void {
    return this.#events.on(event, listener as StoreListener<K>);
  }

  off<K extends StoreEventName>(event: K, listener: (payload: StoreEventMap[K]) => void): void {
    this.#events.off(event, listener as StoreListener<K>);
  }

  /**
   * Bytes stored plus bytes reserved by writes in flight, as this process last saw them (no I/O). Exact for a
   * ledger of this process alone; with a shared ledger, `await usage()` asks the shared truth.
   */
  get size(): number {
    return this.#accounting.used;
  }

  /** The shared truth of the store's total (one ledger call). */
  async usage(): Promise<StoreUsage> {
    const { committed, reserved } = await this.#accounting.ledger.usage(this.#accounting.counter);
    return { bytes: committed, reserved };
  }

  /** The Store's logger behind att's redaction: the HTTP layer logs through it unless given its own. */
  get logger(): AttLogger {
    return this.#logger;
  }

  /** Writes in flight in this process: prepared (limits reserved) and not yet stored, failed or cancelled. */
  get writesInFlight(): number {
    return this.#renewals.size;
  }

  /** The limits this Store enforces (what an HTTP layer may narrow, never widen). */
  get limits(): StoreLimits {
    const { fileSizeLimit, totalSizeLimit, expiry } = this.#options;
    return { fileSizeLimit, totalSizeLimit, expiry, staleUploadAge: this.#options.staleUploadAge ?? HOUR };
  }

  /** Bytes still free under `totalSizeLimit` (Infinity without a limit). */
  get remaining(): number {
    const limit = this.#options.totalSizeLimit;
    return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - this.#accounting.used);
  }

  checkId(id: string): void {
    if (typeof id !== 'string' || !this.isValidId(id)) {
      throw new AttError('INVALID_ID', 'invalid attachment id', { details: { pattern: this.#idPattern.source } });
    }
  }

  /** Stores `body` under `id`: `prepareWrite` then `write`. */
  async write(id: string, body: ByteSource, options: WriteOptions = {}): Promise<Attachment> {
    const pending = await this.prepareWrite(id, options);
    return pending.write(body);
  }

  /**
   * Checks a write's limits and reserves its declared size (or a first slice) before any byte is read: an HTTP
   * layer refuses an upload here and never reads its body. Then `pending.write(body)` or `pending.cancel()`.
   */
  async prepareWrite(id: string, options: WriteOptions = {}): Promise<PendingWrite> {
    this.#checkOpen();
    this.checkId(id);
    return PendingWrite.prepare(this.#writer, id, options);
  }

  /**
   * Charges `bytes` against `budgets` outside any write (a download's bandwidth), all or nothing; throws the
   * refusing budget's error.
   */
  charge(budgets: readonly Budget[], bytes: number): Promise<void> {
    return chargeBudgets(budgets, bytes, this.#writer.reservationTtl);
  }

  /**
   * Charges `budgets` live, outside any write: reserve before bytes go further (`grow`), commit what arrived
   * (`settle`). A request body that is not a Store write (a tus PATCH) is cut off at a budget's limit this way.
   */
  meter(budgets: readonly Budget[]): BudgetMeter {
    return meterBudgets(budgets, this.#writer.reservationTtl);
  }

  /**
   * Gives `bytes` back to the `stored` budgets among `budgets` (the caller removed attachments it had just
   * written: a multipart request that failed after some files were stored). `received` budgets keep theirs.
   */
  refund(budgets: readonly Budget[], bytes: number): Promise<void> {
    return refundBudgets(budgets, bytes);
  }

  async read(id: string, options: { range?: ByteRange; signal?: AbortSignal } = {}): Promise<ReadResult> {
    this.#checkOpen();
    this.checkId(id);
    let result: GetResult;
    try {
      result = await this.backend.get(id, options);
    } catch (err) {
      // An expired attachment is NOT_FOUND whatever range was asked for.
      if (isAttError(err, 'RANGE_NOT_SATISFIABLE')) await this.stat(id);
      throw err;
    }
    const attachment = this.#live(id, result.info);
    if (!attachment) {
      result.body.destroy();
      throw notFound();
    }
    return result.range ? { attachment, body: result.body, range: result.range } : { attachment, body: result.body };
  }

  async stat(id: string): Promise<Attachment> {
    this.#checkOpen();
    this.checkId(id);
    const attachment = this.#live(id, await this.backend.head(id));
    if (!attachment) throw notFound();
    return attachment;
  }

  /**
   * Deletes attachments; missing ones are fine. All ids are validated before anything is deleted. Resolves to the
   * ids that were stored (expired ones included) and are now deleted, so a caller can tell "not found" without a
   * `stat` first.
   */
  async remove(...ids: string[]): Promise<string[]> {
    this.#checkOpen();
    for (const id of ids) this.checkId(id);
    return removeAttachments(
      {
        backend: this.backend,
        accounting: this.#accounting,
        lock: this.#lock,
        events: this.#events,
        expiry: this.#options.expiry,
      },
      ids,
    );
  }

  /** Recomputes `size` from the backend listing (resync.ts); safe while writes run. */
  async sync(): Promise<SyncResult> {
    this.#checkOpen();
    const result = await resyncFromListing(this.backend, this.#accounting, (key) => this.isValidId(key));
    return result ?? { objects: -1, bytes: (await this.usage()).bytes };
  }

  /** One cleanup pass (cleanup.ts): expired objects, orphans (with `isReferenced`), stale incomplete uploads. */
  cleanup(): Promise<CleanupResult> {
    // Rejects (never throws synchronously), like every other Promise-returning method of the Store.
    if (this.#closed) return Promise.reject(closedError());
    return this.#cleanup.run();
  }

  /** Runs `cleanup()` now and then every `intervalMs` (default 15 min); never two passes at once; unref'd timer. */
  startCleanup(intervalMs = 15 * 60 * 1000): void {
    this.#checkOpen();
    if (!(typeof intervalMs === 'number' && intervalMs >= 0 && Number.isFinite(intervalMs))) {
      throw configError('intervalMs', 'cleanup interval must be a non-negative number of milliseconds');
    }
    this.#cleanup.start(intervalMs);
  }

  stopCleanup(): Promise<void> {
    return this.#cleanup.stop();
  }

  /** Stops scheduled cleanup (waiting for a running pass) and closes the backend if the Store created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cleanup.stop();
    if (this.#ownsBackend) await this.backend.close?.();
  }

  /**
   * Readiness (check.ts): resolves when the backend answers (its own probe: directory writable, bucket present,
   * credentials accepted) and the ledger does; rejects with an AttError — BACKEND_UNAVAILABLE, ACCESS_DENIED,
   * INVALID_CONFIG, STATE_UNAVAILABLE, or TIMEOUT after `timeout` ms (default 5000). Writes and reads nothing.
   */
  check(options: CheckOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    return checkStore(this.backend, () => this.usage(), options);
  }

  /** Whether `key` is a valid attachment id (listings ignore everything else). */
  isValidId(key: string): boolean {
    // Keys under `!att/` are the Store's own (the expiry index), whatever the id pattern allows.
    return this.#idPattern.test(key) && !isReservedKey(key);
  }

  #live(id: string, info: ObjectInfo): Attachment | undefined {
    const attachment = toAttachment(id, info, this.#options.expiry);
    const expired = attachment.expiresAt !== undefined && attachment.expiresAt.getTime() <= this.#now();
    return expired ? undefined : attachment;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}

function closedError(): AttError {
  return new AttError('INVALID_REQUEST', 'the store is closed');
}

function notFound(): AttError {
  return new AttError('NOT_FOUND', 'attachment not found');
}

/** Creates a Store (synchronously; the backend connects lazily). */
export function createStore(options: StoreOptions): Store {
  return new Store(options);
}
