/**
 * A listing runs while other requests write, replace and delete under its prefix (the reconcile job lists a
 * bucket that uploads keep changing). It must neither fail nor show a half-written object. Per key, what a
 * listing opened before the changes may report:
 *
 *   key, changed while the listing is open   | may be listed? | if listed, its size is
 *   ---------------------------------------- | -------------- | -----------------------
 *   untouched                                | must           | its size
 *   deleted                                  | may            | its size before
 *   replaced                                 | must           | the old size or the new one, never another
 *   written for the first time               | may            | its full size
 *   still being written (put not resolved)   | must not       | —
 */
import { bytes, chunked, describeError, KiB } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function listingUnderChangeChecks(h: Harness): void {
  const { timeout } = h.options;

  it('a listing stays whole while objects under it are written, replaced and deleted', { timeout }, () =>
    h.use(async (backend, key, prefixOf) => {
      const names = (kind: string, count: number) => Array.from({ length: count }, (_, i) => key(`churn/${kind}${i}`));
      const untouched = names('untouched-', 6);
      const deleted = names('deleted-', 6);
      const replaced = names('replaced-', 4);
      const added = names('added-', 4);
      const sizes = new Map<string, number[]>();
      const put = async (k: string, size: number) => {
        await backend.put(k, chunked(bytes(size)));
        sizes.set(k, [...(sizes.get(k) ?? []), size]);
      };
      for (const [i, k] of [...untouched, ...deleted, ...replaced].entries()) await put(k, 10 + i);

      // A put that stays in flight during the whole listing: the listing must not show it.
      const inFlight = key('churn/in-flight');
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const waiting = new Promise<void>((resolve) => {
        reached = resolve;
      });
      async function* stalled() {
        yield* chunked(bytes(64 * KiB), 16 * KiB);
        reached();
        await gate;
        yield* chunked(bytes(KiB), KiB);
      }
      const pending = backend.put(inFlight, stalled());
      await waiting;

      const seen = new Map<string, number>();
      let failure: unknown;
      try {
        let changed = false;
        for await (const info of backend.list({ prefix: prefixOf('churn/') })) {
          expect(seen.has(info.key), `${info.key} listed twice while the prefix changed`).toBe(false);
          seen.set(info.key, info.size);
          if (!changed) {
            // The listing is open: change the prefix under it, then read the rest of it.
            changed = true;
            await Promise.all([
              backend.delete(deleted),
              ...replaced.map((k, i) => put(k, 500 + i)),
              ...added.map((k, i) => put(k, 900 + i)),
            ]);
          }
        }
      } catch (err) {
        failure = err;
      } finally {
        release();
      }
      expect(failure, `the listing failed while the prefix changed: ${describeError(failure)}`).toBeUndefined();
      expect((await pending).size, 'the in-flight put').toBe(65 * KiB);
      expect(seen.has(inFlight), 'a listing showed an object whose put had not resolved').toBe(false);
      for (const k of [...untouched, ...replaced]) {
        expect(seen.has(k), `${k} existed throughout but the listing missed it`).toBe(true);
      }
      for (const [k, size] of seen) {
        const whole = k === inFlight ? [65 * KiB] : (sizes.get(k) ?? []);
        expect(whole.includes(size), `${k} listed with ${size} bytes: not a whole version (${whole})`).toBe(true);
      }
    }),
  );
}
