/**
 * Abort signals on the read side: a `get` body and a `list` stop when their signal aborts mid-stream, not only
 * when it is aborted before the call. A download whose client left must not keep reading the disk or the bucket.
 */
import { bytes, chunked, describeError, isAbortError, KiB, MiB } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function readAbortChecks(h: Harness): void {
  const { timeout } = h.options;

  it('an abort while a get body is read ends the body with an abort error before its end', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('abort-get');
      const size = 2 * MiB;
      await backend.put(k, chunked(bytes(size)));
      const controller = new AbortController();
      const { body } = await backend.get(k, { signal: controller.signal });
      let received = 0;
      let failure: unknown;
      try {
        for await (const chunk of body) {
          if (received === 0) controller.abort();
          received += (chunk as Uint8Array).length;
        }
      } catch (err) {
        failure = err;
      }
      expect(failure, `the body ended normally after ${received} bytes although its signal aborted`).toBeDefined();
      expect(isAbortError(failure), `the body failed with ${describeError(failure)}, not ABORTED`).toBe(true);
      expect(received, 'the whole object was delivered despite the abort').toBeLessThan(size);
    }),
  );

  it('an abort during a listing rejects the next step with ABORTED', { timeout }, () =>
    h.use(async (backend, key, prefixOf) => {
      for (let i = 0; i < 6; i++) await backend.put(key(`abort-list/${i}`), chunked(bytes(KiB)));
      const controller = new AbortController();
      const listing = backend.list({ prefix: prefixOf('abort-list/'), signal: controller.signal });
      const iterator = listing[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done, 'the listing is empty').toBe(false);
      controller.abort();
      let failure: unknown;
      let delivered = 0;
      try {
        for (let step = 0; step < 10; step++) {
          const next = await iterator.next();
          if (next.done) break;
          delivered += 1;
        }
      } catch (err) {
        failure = err;
      } finally {
        await iterator.return?.();
      }
      expect(failure, `the listing went on (${delivered} more objects) after its signal aborted`).toBeDefined();
      expect(isAbortError(failure), `the listing failed with ${describeError(failure)}, not ABORTED`).toBe(true);
      expect(delivered, 'objects listed after the abort').toBe(0);
    }),
  );
}
