/**
 * `Store.sync`: the store's total recomputed from a streamed listing (O(page) memory; safe while writes run).
 * If a removal raced the listing so that its effect cannot be told (reconcile.ts), the listing is repeated, up
 * to 3 times, before the live count is kept as it is.
 */
import type { Backend } from '../backend.js';
import type { Accounting, SyncResult } from './accounting.js';

const ATTEMPTS = 3;

export async function resyncFromListing(
  backend: Backend,
  accounting: Accounting,
  isValidId: (key: string) => boolean,
): Promise<SyncResult | undefined> {
  let result: SyncResult | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && !result; attempt++) {
    const reconciler = accounting.beginPass();
    try {
      for await (const info of backend.list()) {
        if (isValidId(info.key)) reconciler.count(info.key, info.size);
      }
      result = accounting.applyPass(reconciler);
    } finally {
      accounting.endPass(reconciler);
    }
  }
  await accounting.flush();
  return result;
}
