import { bytes, chunked, getBytes, inParallel, KiB, listAll, sha256 } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function concurrencyChecks(h: Harness): void {
  const { timeout } = h.options;

  it('concurrent puts to different keys each keep their own bytes and size', { timeout }, () =>
    h.use(async (backend, key, prefixOf) => {
      const count = 24;
      const bodies = Array.from({ length: count }, (_, i) => bytes(1 + ((i * 7919) % (200 * KiB))));
      const keys = bodies.map((_, i) => key(`parallel/${i}`));
      await Promise.all(bodies.map((body, i) => backend.put(keys[i]!, chunked(body, 4096 + i))));
      await inParallel(count, 8, async (i) => {
        const got = await getBytes(backend, keys[i]!);
        expect(got.length, `${keys[i]}: wrong size after concurrent puts`).toBe(bodies[i]!.length);
        expect(sha256(got) === sha256(bodies[i]!), `${keys[i]}: bytes mixed up by concurrent puts`).toBe(true);
      });
      const listed = await listAll(backend, prefixOf('parallel/'));
      const sizes = new Map(listed.map((info) => [info.key, info.size]));
      expect(sizes.size, 'listing after concurrent puts').toBe(count);
      keys.forEach((k, i) => {
        expect(sizes.get(k), `${k}: listed size`).toBe(bodies[i]!.length);
      });
    }),
  );

  it('concurrent puts to one key leave exactly one of the bodies', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('contended');
      const bodies = [bytes(10 * KiB), bytes(150 * KiB), bytes(1), bytes(90 * KiB)];
      await Promise.all(bodies.map((body) => backend.put(k, chunked(body, 8192))));
      const got = await getBytes(backend, k);
      const winner = bodies.findIndex((body) => sha256(body) === sha256(got));
      expect(winner, 'the object is a mix of concurrent bodies').toBeGreaterThanOrEqual(0);
      expect((await backend.head(k)).size, 'head() size disagrees with the stored body').toBe(got.length);
    }),
  );
}
