import { describe, expect, it } from 'vitest';
import { AttError, type Backend, createStore, type Ledger, MemoryLedger } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { codeOf } from './helpers.js';

/** The memory backend with some of its methods replaced. */
function withMethods(overrides: Partial<Backend>): Backend {
  return Object.assign(createMemoryBackend(), overrides);
}

describe('Store.check', () => {
  it("uses the backend's own probe when it has one, with a signal", async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const store = createStore({
      backend: withMethods({
        check: async (options) => void seen.push(options?.signal),
        list: () => {
          throw new Error('list must not be called when the backend has a probe');
        },
      }),
    });
    await store.check();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
  });

  it('without a probe reads one listed entry, and no more, of an empty or a full listing', async () => {
    const backend = createMemoryBackend();
    const store = createStore({ backend });
    await store.check();
    let pulled = 0;
    const counting = withMethods({
      async *list() {
        for (let i = 0; i < 5; i++) {
          pulled++;
          yield { key: `k${i}`, size: 1, lastModified: new Date() };
        }
      },
    });
    await createStore({ backend: counting }).check();
    expect(pulled).toBe(1);
  });

  it('a missing directory or bucket, or a foreign error, is BACKEND_UNAVAILABLE', async () => {
    for (const failure of [
      new AttError('NOT_FOUND', 'no such bucket'),
      new AttError('BACKEND_ERROR', 'odd answer'),
      new Error('a third-party backend threw this'),
    ]) {
      const store = createStore({ backend: withMethods({ check: () => Promise.reject(failure) }) });
      const err = await store.check().catch((e) => e);
      expect(err).toBeInstanceOf(AttError);
      expect(err.code, String(failure)).toBe('BACKEND_UNAVAILABLE');
      expect(err.cause).toBe(failure);
    }
  });

  it('keeps the codes an operator acts on: wrong credentials, bad config', async () => {
    for (const code of ['ACCESS_DENIED', 'INVALID_CONFIG'] as const) {
      const store = createStore({
        backend: withMethods({ check: () => Promise.reject(new AttError(code, 'refused')) }),
      });
      expect(await codeOf(store.check())).toBe(code);
    }
  });

  it('a storage that never answers is TIMEOUT after the timeout, and the probe is told to stop', async () => {
    let signal: AbortSignal | undefined;
    const store = createStore({
      backend: withMethods({
        check: (options) => {
          signal = options?.signal;
          return new Promise(() => {});
        },
      }),
    });
    const err = await store.check({ timeout: 20 }).catch((e) => e);
    expect(err.code).toBe('TIMEOUT');
    expect(signal?.aborted).toBe(true);
    expect(await codeOf(store.check({ timeout: 0 }))).toBe('INVALID_CONFIG');
  });

  it('a caller abort is ABORTED', async () => {
    const store = createStore({ backend: withMethods({ check: () => new Promise(() => {}) }) });
    const controller = new AbortController();
    const pending = store.check({ signal: controller.signal });
    controller.abort();
    expect(await codeOf(pending)).toBe('ABORTED');
  });

  it('asks the ledger too: shared state down is STATE_UNAVAILABLE', async () => {
    class DownLedger extends MemoryLedger {
      override usage(): ReturnType<Ledger['usage']> {
        return Promise.reject(new AttError('STATE_UNAVAILABLE', 'redis: ECONNREFUSED'));
      }
    }
    const store = createStore({ backend: createMemoryBackend(), ledger: new DownLedger() });
    expect(await codeOf(store.check())).toBe('STATE_UNAVAILABLE');
  });

  it('rejects on a closed store', async () => {
    const store = createStore({ backend: createMemoryBackend() });
    await store.close();
    expect(await codeOf(store.check())).toBe('INVALID_REQUEST');
  });
});
