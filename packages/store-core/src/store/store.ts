/**
 * The Store: ids, limits, size accounting and expiry on top of any Backend.
 *
 * Accounting model: the ledger holds stored bytes plus bytes of writes in flight. A write charges each chunk before
 * passing it on (so the total limit holds under any concurrency), and when it settles it gives back the size of the
 * object it replaced (learned by `head` under a per-id lock) or, on failure, everything it charged.
 */
import type { Backend, ByteRange, ObjectInfo } from '../backend.js';
import { AttError, isAttError } from '../errors.js';
import { defaultRegistry } from '../registry.js';
import { type ByteSource, meter, throwIfAborted } from '../streams.js';
import { type Attachment, checkContentType, toAttachment, toMetadata } from './attachment.js';
import { type CleanupResult, runCleanup } from './cleanup.js';
import { KeyedLock } from './keyed-lock.js';
import { MemorySizeLedger, type SizeLedger } from './ledger.js';
import { checkStoreOptions, consoleLogger, DEFAULT_ID_PATTERN, HOUR, type StoreOptions } from './options.js';
import { Reconciler } from './reconcile.js';
import { Scheduler } from './scheduler.js';

export interface WriteOptions {
  contentType?: string;
  /** Original file name; any UTF-8 up to 1024 bytes percent-encoded (1024 ASCII letters, ~340 bytes of others). */
  filename?: string;
  /** Declared size: over a limit fails before any byte is read; a different actual length fails SIZE_MISMATCH. */
  size?: number;
  /** A per-call byte limit on top of `fileSizeLimit` (e.g. what a visitor has left); exceeding it is TOO_LARGE. */
  limit?: number;
  /** Overrides the store's `expiry` for this attachment. */
  expiresAt?: Date;
  signal?: AbortSignal;
}

export interface ReadResult {
  attachment: Attachment;
  body: import('node:stream').Readable;
  /** The satisfied range (end inclusive), when one was asked for. */
  range?: { start: number; end: number };
}

export interface SyncResult {
  objects: number;
  bytes: number;
}

const MAX_FILENAME = 1024;

function plainPattern(pattern: RegExp): RegExp {
  // A /g or /y pattern keeps state between test() calls; validation must not depend on call history.
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

export class Store {
  readonly backend: Backend;
  readonly #ownsBackend: boolean;
  readonly #options: StoreOptions;
  readonly #idPattern: RegExp;
  readonly #ledger: SizeLedger;
  readonly #lock = new KeyedLock();
  readonly #reconcilers = new Set<Reconciler>();
  readonly #scheduler: Scheduler;
  readonly #now: () => number;
  /** Bytes charged by writes that have not settled yet. */
  #inflight = 0;
  /** Operations holding an id's lock: id → object size when they began (undefined: absent). */
  readonly #ops = new Map<string, number | undefined>();
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
    this.#ledger = options.ledger ?? new MemorySizeLedger();
    this.#now = options.now ?? Date.now;
    this.#scheduler = new Scheduler(() => this.cleanup(), options.logger ?? consoleLogger);
  }

  /** Bytes stored plus bytes of writes in flight. Exact whenever no write is in flight. */
  get size(): number {
    return this.#ledger.used;
  }

  /** Bytes still free under `totalSizeLimit` (Infinity without a limit). */
  get remaining(): number {
    const limit = this.#options.totalSizeLimit;
    return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - this.#ledger.used);
  }

  checkId(id: string): void {
    if (typeof id !== 'string' || !this.#idPattern.test(id)) {
      throw new AttError('INVALID_ID', 'invalid attachment id', { details: { pattern: this.#idPattern.source } });
    }
  }

  async write(id: string, body: ByteSource, options: WriteOptions = {}): Promise<Attachment> {
    this.#checkOpen();
    this.checkId(id);
    const contentType = checkContentType(options.contentType);
    const { filename, size, signal } = options;
    if (
      filename !== undefined &&
      (typeof filename !== 'string' || encodeURIComponent(filename).length > MAX_FILENAME)
    ) {
      // Measured percent-encoded, as stored: all metadata must fit S3's 2 KiB.
      throw new AttError(
        'INVALID_REQUEST',
        `filename must be a string of at most ${MAX_FILENAME} bytes percent-encoded`,
      );
    }
    const fileLimit = Math.min(this.#options.fileSizeLimit ?? Infinity, options.limit ?? Infinity);
    const totalLimit = this.#options.totalSizeLimit;
    if (size !== undefined) {
      if (!Number.isSafeInteger(size) || size < 0) throw new AttError('INVALID_REQUEST', 'size must be an integer ≥ 0');
      if (size > fileLimit) throw tooLarge(fileLimit);
      if (size > this.remaining) throw quotaExceeded(totalLimit);
    }
    throwIfAborted(signal, 'upload');

    return this.#lock.run(id, async () => {
      throwIfAborted(signal, 'upload');
      const before = await this.#sizeOf(id);
      this.beginOp(id, before);
      let charged = 0;
      let limitError: AttError | undefined;
      const charge = (bytes: number): void | Promise<void> => {
        if (charged + bytes > fileLimit) {
          limitError = tooLarge(fileLimit);
          throw limitError;
        }
        const added = this.#ledger.tryAdd(bytes, totalLimit);
        const settle = (ok: boolean) => {
          if (!ok) {
            limitError = quotaExceeded(totalLimit);
            throw limitError;
          }
          charged += bytes;
          this.#inflight += bytes;
        };
        if (typeof added === 'boolean') return settle(added);
        return added.then(settle);
      };
      const createdAt = new Date(this.#now());
      const expiresAt =
        options.expiresAt ??
        (this.#options.expiry === undefined ? undefined : new Date(createdAt.getTime() + this.#options.expiry));
      const facts = { createdAt, ...(filename === undefined ? {} : { filename }), ...(expiresAt ? { expiresAt } : {}) };
      try {
        const metered = meter(body, { signal, expectedSize: size, onChunk: charge });
        const info = await this.backend.put(id, metered, { size, contentType, metadata: toMetadata(facts), signal });
        this.#settle(charged, before, charged);
        this.endOp(id, charged);
        return toAttachment(id, { ...info, size: charged }, this.#options.expiry);
      } catch (err) {
        this.#settle(charged, before, undefined);
        this.endOp(id, before);
        if (limitError) throw limitError;
        if (signal?.aborted && !isAttError(err, 'ABORTED'))
          throw new AttError('ABORTED', 'upload aborted', { cause: err });
        throw err;
      }
    });
  }

  async read(id: string, options: { range?: ByteRange; signal?: AbortSignal } = {}): Promise<ReadResult> {
    this.#checkOpen();
    this.checkId(id);
    const result = await this.backend.get(id, options);
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

  /** Deletes attachments; missing ones are fine. All ids are validated before anything is deleted. */
  async remove(...ids: string[]): Promise<void> {
    this.#checkOpen();
    for (const id of ids) this.checkId(id);
    await Promise.all(
      [...new Set(ids)].map((id) =>
        this.#lock.run(id, async () => {
          const before = await this.#sizeOf(id);
          if (before === undefined) return;
          this.beginOp(id, before);
          try {
            await this.backend.delete([id]);
          } catch (err) {
            this.endOp(id, before);
            throw err;
          }
          this.#ledger.add(-before);
          this.endOp(id, undefined);
        }),
      ),
    );
  }

  /**
   * Recomputes `size` from the backend listing (streamed, O(page) memory; safe while writes run). If a removal
   * raced the listing so that its effect cannot be told, the listing is repeated (up to 3 times) before the live
   * count is kept as it is.
   */
  async sync(): Promise<SyncResult> {
    this.#checkOpen();
    let result: SyncResult | undefined;
    for (let attempt = 0; attempt < 3 && !result; attempt++) {
      const reconciler = this.beginPass();
      try {
        for await (const info of this.backend.list()) {
          if (this.isValidId(info.key)) reconciler.count(info.key, info.size);
        }
        result = this.applyReconcile(reconciler);
      } finally {
        this.endPass(reconciler);
      }
    }
    return result ?? { objects: -1, bytes: this.#ledger.used - this.#inflight };
  }

  /** One cleanup pass: expired objects, orphans (with `isReferenced`), stale incomplete uploads. */
  cleanup(): Promise<CleanupResult> {
    this.#checkOpen();
    return runCleanup(this, {
      backend: this.backend,
      lock: this.#lock,
      now: this.#now,
      expiry: this.#options.expiry,
      isReferenced: this.#options.isReferenced,
      orphanGracePeriod: this.#options.orphanGracePeriod ?? HOUR,
      staleUploadAge: this.#options.staleUploadAge ?? HOUR,
      pageSize: this.#options.pageSize ?? 1000,
      logger: this.#options.logger ?? consoleLogger,
    });
  }

  /** Runs `cleanup()` now and then every `intervalMs` (default 15 min); never two passes at once; unref'd timer. */
  startCleanup(intervalMs = 15 * 60 * 1000): void {
    this.#checkOpen();
    if (!(typeof intervalMs === 'number' && intervalMs >= 0 && Number.isFinite(intervalMs))) {
      throw new AttError('INVALID_CONFIG', 'cleanup interval must be a non-negative number of milliseconds');
    }
    this.#scheduler.start(intervalMs);
  }

  stopCleanup(): Promise<void> {
    return this.#scheduler.stop();
  }

  /** Stops scheduled cleanup (waiting for a running pass) and closes the backend if the Store created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#scheduler.stop();
    if (this.#ownsBackend) await this.backend.close?.();
  }

  // ---- internals shared with cleanup (not part of the public API) ----

  /** @internal */
  isValidId(key: string): boolean {
    return this.#idPattern.test(key);
  }

  /** @internal */
  isExpired(attachmentOrInfo: { expiresAt?: Date | undefined }): boolean {
    return attachmentOrInfo.expiresAt !== undefined && attachmentOrInfo.expiresAt.getTime() <= this.#now();
  }

  /** @internal Starts recording changes for a listing pass. */
  beginPass(): Reconciler {
    const reconciler = new Reconciler();
    for (const [id, before] of this.#ops) reconciler.begin(id, before);
    this.#reconcilers.add(reconciler);
    return reconciler;
  }

  /** @internal */
  endPass(reconciler: Reconciler): void {
    this.#reconcilers.delete(reconciler);
  }

  /** @internal Sets the stored total to what the pass found (keeping in-flight reservations), if it can tell. */
  applyReconcile(reconciler: Reconciler): SyncResult | undefined {
    const found = reconciler.total();
    if (!found) return undefined;
    const stored = this.#ledger.used - this.#inflight;
    if (found.bytes !== stored) this.#ledger.add(found.bytes - stored);
    return found;
  }

  /** @internal An operation on `id` holds its lock; passes running now learn the size it started from. */
  beginOp(id: string, before: number | undefined, except?: Reconciler): void {
    this.#ops.set(id, before);
    for (const reconciler of this.#reconcilers) if (reconciler !== except) reconciler.begin(id, before);
  }

  /** @internal The operation on `id` ended, leaving an object of `after` bytes (undefined: none). */
  endOp(id: string, after: number | undefined): void {
    this.#ops.delete(id);
    for (const reconciler of this.#reconcilers) reconciler.settle(id, after);
  }

  /** @internal Cleanup deleted `size` bytes it had counted. */
  release(size: number): void {
    this.#ledger.add(-size);
  }

  #live(id: string, info: ObjectInfo): Attachment | undefined {
    const attachment = toAttachment(id, info, this.#options.expiry);
    return this.isExpired(attachment) ? undefined : attachment;
  }

  async #sizeOf(id: string): Promise<number | undefined> {
    try {
      return (await this.backend.head(id)).size;
    } catch (err) {
      if (isAttError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
  }

  /** A write ended: release its reservation; on success keep `after` bytes and give back the replaced object's. */
  #settle(charged: number, before: number | undefined, after: number | undefined): void {
    this.#inflight -= charged;
    if (after === undefined) {
      if (charged > 0) this.#ledger.add(-charged);
      return;
    }
    if (after !== charged) this.#ledger.add(after - charged);
    if (before !== undefined && before > 0) this.#ledger.add(-before);
  }

  #checkOpen(): void {
    if (this.#closed) throw new AttError('INVALID_REQUEST', 'the store is closed');
  }
}

function tooLarge(limit: number): AttError {
  return new AttError('TOO_LARGE', `attachment exceeds the size limit of ${limit} bytes`, { details: { limit } });
}

function quotaExceeded(limit: number | undefined): AttError {
  return new AttError('QUOTA_EXCEEDED', 'attachment storage is full', { details: { limit } });
}

function notFound(): AttError {
  return new AttError('NOT_FOUND', 'attachment not found');
}

/** Creates a Store (synchronously; the backend connects lazily). */
export function createStore(options: StoreOptions): Store {
  return new Store(options);
}
