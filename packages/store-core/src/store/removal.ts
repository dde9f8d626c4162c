/**
 * `Store.remove`: deletions that keep the store's total exact. Each id is deleted under its lock, its size known
 * before (a HEAD), and announced to the accounting as an operation so a listing pass running beside it
 * (reconcile.ts) counts it exactly once; the bytes go back to the total only once the backend confirmed. An object
 * written with its own expiry takes its expiry-index markers along, in the same delete.
 */
import type { Backend, ObjectInfo } from '../backend.js';
import { isAttError } from '../errors.js';
import type { StoreEvents } from '../events/store-events.js';
import type { Accounting } from './accounting.js';
import { hasOwnExpiry } from './attachment.js';
import { forEachLimited } from './concurrency.js';
import { keepsIndex, markersOf } from './expiry-index.js';
import type { KeyedLock } from './keyed-lock.js';

const REMOVE_CONCURRENCY = 16;

export interface RemovalContext {
  backend: Backend;
  accounting: Accounting;
  lock: KeyedLock;
  events: StoreEvents;
  /** The store's default expiry: an object whose expiry differs was written with its own (and has markers). */
  expiry: number | undefined;
}

/** Deletes validated, distinct ids; missing ones are fine. Resolves to the ids that were there, in `ids`' order. */
export async function removeAttachments(context: RemovalContext, ids: readonly string[]): Promise<string[]> {
  const { backend, accounting, lock, events } = context;
  const distinct = [...new Set(ids)];
  const removed = new Set<string>();
  await forEachLimited(distinct, REMOVE_CONCURRENCY, (id) =>
    lock.run(id, async () => {
      const found = await headOf(backend, id);
      if (found === undefined) return;
      const before = found.size;
      accounting.beginOp(id, before);
      try {
        const indexed = keepsIndex(backend) && hasOwnExpiry(found, context.expiry);
        await backend.delete(indexed ? [id, ...(await markersOf(backend, id))] : [id]);
      } catch (err) {
        accounting.endOp(id, before);
        throw err;
      }
      accounting.endOp(id, undefined);
      removed.add(id);
      if (events.wants('remove')) events.emit('remove', { id, size: before, reason: 'request' });
      await accounting.release(before);
    }),
  );
  return distinct.filter((id) => removed.has(id));
}

/** The stored object under `id`, or undefined when there is none. */
export async function headOf(backend: Backend, id: string): Promise<ObjectInfo | undefined> {
  try {
    return await backend.head(id);
  } catch (err) {
    if (isAttError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}
