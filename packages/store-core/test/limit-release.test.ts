import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/index.js';
import { createStore, isAttError } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { bodyOf, filled } from './helpers.js';

/**
 * A memory backend that holds back the failure of one key's put until `release()`: a backend whose failure path is
 * slow (an fs temp file being removed, a multipart upload being aborted).
 */
function slowFailure(slowKey: string) {
  const inner = createMemoryBackend();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let failed!: () => void;
  const failing = new Promise<void>((resolve) => {
    failed = resolve;
  });
  const backend: Backend = {
    ...inner,
    async put(key, body, options) {
      try {
        return await inner.put(key, body, options);
      } catch (err) {
        if (key === slowKey) {
          failed();
          await gate;
        }
        throw err;
      }
    },
  };
  return { backend, release, failing };
}

describe('a write over a limit gives its bytes back at once', () => {
  it('frees its reservation for other writes while its backend is still cleaning up (total limit)', async () => {
    const { backend, release, failing } = slowFailure('big');
    const store = createStore({ backend, totalSizeLimit: 1000 });
    const big = store.write('big', bodyOf(filled(1200), 600)).catch((err: unknown) => err);
    await failing;
    expect(store.size, 'the doomed write still holds its bytes').toBe(0);
    expect(store.remaining).toBe(1000);
    const small = await store.write('small', bodyOf(filled(900), 300));
    expect(small.size).toBe(900);
    release();
    expect(isAttError(await big, 'QUOTA_EXCEEDED')).toBe(true);
    expect(store.size).toBe(900);
    expect((await store.sync()).bytes).toBe(900);
  });

  it('does the same for the per-file limit, and keeps a replaced object counted', async () => {
    const { backend, release, failing } = slowFailure('x');
    const store = createStore({ backend, fileSizeLimit: 1000, totalSizeLimit: 2000 });
    await store.write('x', bodyOf(filled(700)));
    const over = store.write('x', bodyOf(filled(1500), 500)).catch((err: unknown) => err);
    await failing;
    expect(store.size).toBe(700);
    await store.write('y', bodyOf(filled(1000), 250));
    release();
    expect(isAttError(await over, 'TOO_LARGE')).toBe(true);
    expect(store.size).toBe(1700);
    expect((await store.stat('x')).size).toBe(700);
  });
});
