/**
 * `Store.remove`: deletions that keep the store's total exact. Each id is deleted under its lock, its size known
 * before (a HEAD), and announced to the accounting as an operation so a listing pass running beside it
 * (reconcile.ts) counts it exactly once; the bytes go back to the total only once the backend confirmed.
 */
import type { Backend } from '../backend.js';
import { isAttError } from '../errors.js';
import type { StoreEvents } from '../events/store-events.js';
import type { Accounting } from './accounting.js';
import { forEachLimited } from './concurrency.js';
import type { KeyedLock } from './keyed-lock.js';

const REMOVE_CONCURRENCY = 16;

export interface RemovalContext {
  backend: Backend;
  accounting: Accounting;
  lock: KeyedLock;
  events: StoreEvents;
}

/** Deletes validated, distinct ids; missing ones are fine. */
export async function removeAttachments(context: RemovalContext, ids: readonly string[]): Promise<void> {
  const { backend, accounting, lock, events } = context;
  await forEachLimited([...new Set(ids)], REMOVE_CONCURRENCY, (id) =>
    lock.run(id, async () => {
      const before = await sizeOf(backend, id);
      if (before === undefined) return;
      accounting.beginOp(id, before);
      try {
        await backend.delete([id]);
      } catch (err) {
        accounting.endOp(id, before);
        throw err;
      }
      accounting.endOp(id, undefined);
      if (events.wants('remove')) events.emit('remove', { id, size: before, reason: 'request' });
      await accounting.release(before);
    }),
  );
}

/** The stored size of `id`, or undefined when there is no such object. */
export async function sizeOf(backend: Backend, id: string): Promise<number | undefined> {
  try {
    return (await backend.head(id)).size;
  } catch (err) {
    if (isAttError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}
