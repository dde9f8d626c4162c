/**
 * The Store: ids, size accounting (accounting.ts), the write path with its limits (write.ts) and expiry on top of
 * any Backend. Writes, removals and cleanup deletions of one id run one at a time (a per-id lock), so the size of
 * a replaced object, learned by `head` under that lock, is given back exactly once.
 */
import type { Backend, ByteRange, GetResult, ObjectInfo } from '../backend.js';
import { AttError, isAttError } from '../errors.js';
import { defaultRegistry } from '../registry.js';
import type { ByteSource } from '../streams.js';
import { Accounting, type SyncResult } from './accounting.js';
import { type Attachment, toAttachment } from './attachment.js';
import { type CleanupResult, runCleanup } from './cleanup.js';
import { forEachLimited } from './concurrency.js';
import { KeyedLock } from './keyed-lock.js';
import { MemorySizeLedger } from './ledger.js';
import { checkStoreOptions, consoleLogger, DEFAULT_ID_PATTERN, HOUR, type StoreOptions } from './options.js';
import { Scheduler } from './scheduler.js';
import type { ReadResult, WriteOptions } from './types.js';
import { type WriteContext, writeAttachment } from './write.js';

export type { ReadResult, WriteOptions } from './types.js';

const REMOVE_CONCURRENCY = 16;

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
  readonly #scheduler: Scheduler;
  readonly #now: () => number;
  readonly #writer: WriteContext;
  #closed = false;
  #lastPass: Promise<unknown> = Promise.resolve();

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
    this.#accounting = new Accounting(options.ledger ?? new MemorySizeLedger());
    this.#now = options.now ?? Date.now;
    this.#scheduler = new Scheduler(() => this.cleanup(), options.logger ?? consoleLogger);
    this.#writer = {
      backend: this.backend,
      accounting: this.#accounting,
      lock: this.#lock,
      options,
      now: this.#now,
      remaining: () => this.remaining,
      sizeOf: (id) => this.#sizeOf(id),
    };
  }

  /** Bytes stored plus bytes of writes in flight. Exact whenever no write is in flight. */
  get size(): number {
    return this.#accounting.ledger.used;
  }

  /** Bytes still free under `totalSizeLimit` (Infinity without a limit). */
  get remaining(): number {
    const limit = this.#options.totalSizeLimit;
    return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - this.#accounting.ledger.used);
  }

  checkId(id: string): void {
    if (typeof id !== 'string' || !this.#idPattern.test(id)) {
      throw new AttError('INVALID_ID', 'invalid attachment id', { details: { pattern: this.#idPattern.source } });
    }
  }

  async write(id: string, body: ByteSource, options: WriteOptions = {}): Promise<Attachment> {
    this.#checkOpen();
    this.checkId(id);
    return writeAttachment(this.#writer, id, body, options);
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

  /** Deletes attachments; missing ones are fine. All ids are validated before anything is deleted. */
  async remove(...ids: string[]): Promise<void> {
    this.#checkOpen();
    for (const id of ids) this.checkId(id);
    await forEachLimited([...new Set(ids)], REMOVE_CONCURRENCY, (id) =>
      this.#lock.run(id, async () => {
        const before = await this.#sizeOf(id);
        if (before === undefined) return;
        this.#accounting.beginOp(id, before);
        try {
          await this.backend.delete([id]);
        } catch (err) {
          this.#accounting.endOp(id, before);
          throw err;
        }
        this.#accounting.release(before);
        this.#accounting.endOp(id, undefined);
      }),
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
      const reconciler = this.#accounting.beginPass();
      try {
        for await (const info of this.backend.list()) {
          if (this.isValidId(info.key)) reconciler.count(info.key, info.size);
        }
        result = this.#accounting.applyPass(reconciler);
      } finally {
        this.#accounting.endPass(reconciler);
      }
    }
    return result ?? { objects: -1, bytes: this.#accounting.stored };
  }

  /** One cleanup pass: expired objects, orphans (with `isReferenced`), stale incomplete uploads. */
  cleanup(): Promise<CleanupResult> {
    // Rejects (never throws synchronously), like every other Promise-returning method of the Store.
    if (this.#closed) return Promise.reject(closedError());
    // Passes never overlap: a call during a running pass (scheduled or not) starts when that one ends.
    const pass = this.#lastPass.catch(() => undefined).then(() => this.#runPass());
    this.#lastPass = pass;
    return pass;
  }

  #runPass(): Promise<CleanupResult> {
    return runCleanup({
      accounting: this.#accounting,
      isValidId: (key) => this.isValidId(key),
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

  /** Whether `key` is a valid attachment id (listings ignore everything else). */
  isValidId(key: string): boolean {
    return this.#idPattern.test(key);
  }

  #live(id: string, info: ObjectInfo): Attachment | undefined {
    const attachment = toAttachment(id, info, this.#options.expiry);
    const expired = attachment.expiresAt !== undefined && attachment.expiresAt.getTime() <= this.#now();
    return expired ? undefined : attachment;
  }

  async #sizeOf(id: string): Promise<number | undefined> {
    try {
      return (await this.backend.head(id)).size;
    } catch (err) {
      if (isAttError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
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
