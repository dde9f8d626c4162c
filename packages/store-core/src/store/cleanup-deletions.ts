/**
 * The deleting half of a cleanup pass: pages of expired objects and of orphan candidates (asked of
 * `isReferenced`), two pages in flight beside the listing, each object deleted under its id's lock with its
 * expiry-index markers in the same DeleteObjects, and index markers no object needs any more (garbage) riding
 * along with the next page or going on their own once they fill one.
 */
import type { Backend, ObjectInfo } from '../backend.js';
import type { Accounting } from './accounting.js';
import { TaskWindow } from './concurrency.js';
import { markersOf } from './expiry-index.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Reconciler } from './reconcile.js';

/** Pages of deletions or isReferenced questions in flight beside the listing. */
const PAGES_IN_FLIGHT = 2;

/**
 * A listed object with the expiry-index markers that are deleted with it; `unindexed` when the listing order did
 * not say them: they are looked up if it is deleted.
 */
export type Listed = ObjectInfo & { markers?: readonly string[]; unindexed?: boolean };

type Fail = (message: string, err: unknown, details?: Record<string, unknown>) => void;

/** What deleting needs of the pass's context (cleanup.ts' CleanupContext has all of it). */
export interface DeletionContext {
  accounting: Accounting;
  backend: Backend;
  lock: KeyedLock;
  pageSize: number;
  isReferenced: ((ids: string[]) => Promise<Iterable<string>>) | undefined;
  onDeleted?: (kind: 'expired' | 'orphans', id: string, size: number) => void;
}

/** The counts a pass reports that deleting adds to. */
export interface DeletionCounts {
  expired: number;
  orphans: number;
  bytesFreed: number;
}

export class PassDeletions {
  readonly #ctx: DeletionContext;
  readonly #result: DeletionCounts;
  readonly #reconciler: Reconciler;
  readonly #fail: Fail;
  readonly #pages = new TaskWindow(PAGES_IN_FLIGHT);
  #garbage: string[] = [];

  constructor(ctx: DeletionContext, result: DeletionCounts, reconciler: Reconciler, fail: Fail) {
    this.#ctx = ctx;
    this.#result = result;
    this.#reconciler = reconciler;
    this.#fail = fail;
  }

  /** Starts a page's work when a slot is free (the caller, the listing, waits for the slot). */
  add(task: () => Promise<void>): Promise<void> {
    return this.#pages.add(task);
  }

  /** An index marker no object needs: deleted with the next page, or as a page of its own once there are enough. */
  collect(key: string): void {
    this.#garbage.push(key);
    if (this.#garbage.length < this.#ctx.pageSize) return;
    const keys = this.#garbage;
    this.#garbage = [];
    void this.#pages.add(() => this.#deleteKeys(keys));
  }

  /** Deletes listed objects no write touched since; ids locked by a running write are left for the next pass. */
  async deleteListed(infos: Listed[], kind: 'expired' | 'orphans'): Promise<void> {
    const { accounting, backend, lock, pageSize } = this.#ctx;
    const reconciler = this.#reconciler;
    const candidates = infos.filter((info) => !reconciler.wasTouched(info.key));
    const { taken, release } = lock.tryLockAll(candidates.map((info) => info.key));
    if (taken.length === 0) return release();
    const byId = new Map(candidates.map((info) => [info.key, info]));
    for (const id of taken) accounting.beginOp(id, byId.get(id)?.size, reconciler);
    let deleted = false;
    try {
      // An object's index markers go in the same DeleteObjects, and so does garbage collected meanwhile.
      const keys = [...taken];
      for (const id of taken) {
        const info = byId.get(id);
        keys.push(...(info?.markers ?? []));
        if (info?.unindexed) keys.push(...(await markersOf(backend, id).catch(() => [])));
      }
      keys.push(...this.#garbage.splice(0, Math.max(0, pageSize - keys.length)));
      await backend.delete(keys);
      deleted = true;
    } catch (err) {
      this.#fail(`cleanup could not delete ${kind}`, err, { count: taken.length });
    } finally {
      for (const id of taken) {
        const size = byId.get(id)?.size ?? 0;
        accounting.endOp(id, deleted ? undefined : size);
        if (!deleted) continue;
        accounting.release(size);
        reconciler.forget(size);
        this.#result[kind] += 1;
        this.#result.bytesFreed += size;
        this.#ctx.onDeleted?.(kind, id, size);
      }
      release();
    }
  }

  /** Asks `isReferenced` about a page of old objects and deletes the unreferenced ones. */
  async checkOrphans(page: Listed[]): Promise<void> {
    const { isReferenced } = this.#ctx;
    if (!isReferenced || page.length === 0) return;
    let referenced: Set<string>;
    try {
      referenced = new Set(await isReferenced(page.map((info) => info.key)));
    } catch (err) {
      this.#fail('cleanup: isReferenced failed for a page; skipping it', err, { count: page.length });
      return;
    }
    await this.deleteListed(
      page.filter((info) => !referenced.has(info.key)),
      'orphans',
    );
  }

  /** Waits for the pages in flight, then deletes the garbage left. */
  async drain(): Promise<void> {
    await this.#pages.drain();
    if (this.#garbage.length > 0) await this.#deleteKeys(this.#garbage.splice(0));
  }

  async #deleteKeys(keys: string[]): Promise<void> {
    await this.#ctx.backend.delete(keys).catch((err) => this.#fail('cleanup could not delete index markers', err));
  }
}
