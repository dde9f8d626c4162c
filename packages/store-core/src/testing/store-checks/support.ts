/** Shared pieces of the Store checks: a harness that builds Stores on fresh backends, and small bodies. */
import { randomUUID } from 'node:crypto';
import type { Backend } from '../../backend.js';
import { isAttError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { StoreOptions } from '../../store/options.js';
import { createStore, type Store } from '../../store/store.js';
import type { BackendFactory } from '../harness.js';

export interface StoreHarness {
  /**
   * Runs `fn` with a Store on a fresh backend; removes what it stored and closes the backend afterwards.
   * Ids from `id(name)` are unique per test, and the Store's id pattern only admits them, so `sync()` and `cleanup()`
   * never see (or delete) anything else in a shared bucket.
   */
  use(
    options: Omit<StoreOptions, 'backend'>,
    fn: (store: Store, backend: Backend, id: (name: string) => string) => Promise<void>,
  ): Promise<void>;
  timeout: number;
}

export function createStoreHarness(create: BackendFactory, timeout: number): StoreHarness {
  return {
    timeout,
    async use(options, fn) {
      const run = `st${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const id = (name: string) => `${run}_${name}`;
      const backend = await create();
      const store = createStore({ idPattern: new RegExp(`^${run}_[A-Za-z0-9_-]{1,100}$`), ...options, backend });
      const written = new Set<string>();
      const originalWrite = store.write.bind(store);
      store.write = (id, body, writeOptions) => {
        written.add(id);
        return originalWrite(id, body, writeOptions);
      };
      try {
        await fn(store, backend, id);
      } finally {
        await store.close();
        try {
          if (written.size > 0) await backend.delete([...written]);
        } finally {
          await backend.close?.();
        }
      }
    },
  };
}

export async function* body(size: number, chunkSize = 1000, fill = 0x61): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < size; sent += chunkSize) yield Buffer.alloc(Math.min(chunkSize, size - sent), fill);
}

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isAttError(err) ? err.code : `not an AttError: ${String(err)}`;
  }
}

export function silentLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_obj, message) => void messages.push(message ?? '') };
}

export async function listedBytes(backend: Backend, ids: Iterable<string>): Promise<number> {
  let total = 0;
  for (const id of ids) {
    try {
      total += (await backend.head(id)).size;
    } catch (err) {
      if (!isAttError(err, 'NOT_FOUND')) throw err;
    }
  }
  return total;
}

/** A clock the test moves by hand, starting at the real time (backends stamp objects with the real time). */
export function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}
