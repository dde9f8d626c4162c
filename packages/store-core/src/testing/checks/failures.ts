import type { Backend } from '../../backend.js';
import { isAttError } from '../../errors.js';
import {
  bytes,
  chunked,
  expectAbsent,
  expectAttError,
  failingBody,
  getBytes,
  hasInChain,
  KiB,
  listAll,
  MiB,
  sha256,
} from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

/** A body that yields `prefix`, calls `onWaiting`, and then never yields again (only an abort can end it). */
async function* stallingBody(prefix: Uint8Array, onWaiting: () => void): AsyncGenerator<Uint8Array> {
  yield* chunked(prefix, 64 * KiB);
  onWaiting();
  await new Promise(() => {});
}

async function expectNothingUnder(backend: Backend, key: string, what: string): Promise<void> {
  await expectAbsent(backend, key, what);
  const listed = await listAll(backend, key);
  expect(
    listed.map((i) => i.key),
    `${what}: a partial object is listed`,
  ).toEqual([]);
}

export function failureChecks(h: Harness): void {
  const { timeout } = h.options;

  it('an object is invisible until its put completes', { timeout }, () =>
    h.use(async (backend, key, prefixOf) => {
      const k = key('in-flight/object');
      let release!: () => void;
      let waiting!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const reached = new Promise<void>((resolve) => {
        waiting = resolve;
      });
      async function* body() {
        yield* chunked(bytes(200 * KiB), 64 * KiB);
        waiting();
        await gate;
        yield* chunked(bytes(100 * KiB), 64 * KiB);
      }
      const put = backend.put(k, body());
      await reached;
      await expectAttError(backend.head(k), 'NOT_FOUND', 'head() while the put is in flight');
      expect(await listAll(backend, prefixOf('in-flight/')), 'list() shows an object still being written').toEqual([]);
      release();
      expect((await put).size).toBe(300 * KiB);
      expect((await backend.head(k)).size).toBe(300 * KiB);
    }),
  );

  it('an aborted put leaves nothing and rejects with ABORTED', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('aborted');
      const controller = new AbortController();
      async function* body() {
        yield* chunked(bytes(256 * KiB), 64 * KiB);
        controller.abort();
        yield* chunked(bytes(256 * KiB), 64 * KiB);
      }
      await expectAttError(backend.put(k, body(), { signal: controller.signal }), 'ABORTED', 'put() aborted mid-body');
      await expectNothingUnder(backend, k, 'aborted put');
    }),
  );

  it('an abort while the body is stalled ends the put at once', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('stalled');
      const controller = new AbortController();
      const put = backend.put(
        k,
        stallingBody(bytes(128 * KiB), () => controller.abort()),
        {
          signal: controller.signal,
        },
      );
      await expectAttError(put, 'ABORTED', 'put() aborted while waiting for the body');
      await expectNothingUnder(backend, k, 'stalled put');
    }),
  );

  it('a put with an already aborted signal stores nothing', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('pre-aborted');
      const signal = AbortSignal.abort();
      await expectAttError(backend.put(k, chunked(bytes(10)), { signal }), 'ABORTED', 'put() with an aborted signal');
      await expectNothingUnder(backend, k, 'pre-aborted put');
    }),
  );

  const failingSizes: Array<[string, number]> = [['64 KiB', 64 * KiB]];
  if (h.options.largeBodies) failingSizes.push(['6 MiB', 6 * MiB]);
  for (const [label, size] of failingSizes) {
    it(`a body failing after ${label} propagates its error and leaves nothing`, { timeout }, () =>
      h.use(async (backend, key) => {
        const k = key(`failing-${size}`);
        const boom = new Error('body failed on purpose');
        let caught: unknown;
        await backend.put(k, failingBody(bytes(size), boom)).catch((err) => {
          caught = err;
        });
        expect(caught, 'put() must reject when the body throws').toBeDefined();
        expect(hasInChain(caught, boom), 'the body error must be the rejection or its cause').toBe(true);
        await expectNothingUnder(backend, k, 'failing body');
      }),
    );
  }

  it('a failed or aborted overwrite keeps the old object intact', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('keep-old');
      const old = bytes(70 * KiB);
      await backend.put(k, chunked(old), { contentType: 'text/plain', metadata: { v: '1' } });
      await backend.put(k, failingBody(bytes(300 * KiB), new Error('fail'))).catch(() => {});
      const controller = new AbortController();
      await backend
        .put(
          k,
          stallingBody(bytes(64 * KiB), () => controller.abort()),
          { signal: controller.signal },
        )
        .catch(() => {});
      await expectAttError(backend.put(k, chunked(bytes(5)), { size: 9 }), 'SIZE_MISMATCH', 'short overwrite');
      const got = await getBytes(backend, k);
      expect(sha256(got), 'a failed overwrite damaged the old object').toBe(sha256(old));
      const head = await backend.head(k);
      expect([head.size, head.contentType, head.metadata], 'a failed overwrite changed the old object').toEqual([
        old.length,
        'text/plain',
        { v: '1' },
      ]);
    }),
  );

  it('a declared size that does not match the body fails with SIZE_MISMATCH', { timeout }, () =>
    h.use(async (backend, key) => {
      const short = key('short');
      await expectAttError(backend.put(short, chunked(bytes(50)), { size: 100 }), 'SIZE_MISMATCH', 'body shorter');
      await expectNothingUnder(backend, short, 'short body');
      const long = key('long');
      await expectAttError(backend.put(long, chunked(bytes(100 * KiB)), { size: 50 }), 'SIZE_MISMATCH', 'body longer');
      await expectNothingUnder(backend, long, 'long body');
      const empty = key('empty-declared');
      await expectAttError(backend.put(empty, chunked(bytes(0)), { size: 1 }), 'SIZE_MISMATCH', 'empty body, size 1');
      await expectNothingUnder(backend, empty, 'empty body');
    }),
  );

  it('errors are AttErrors with a code, and NOT_FOUND is not retryable', { timeout }, () =>
    h.use(async (backend, key) => {
      const err = await backend.head(key('nope')).catch((e: unknown) => e);
      expect(isAttError(err, 'NOT_FOUND') && err.retryable === false, 'NOT_FOUND must not be retryable').toBe(true);
    }),
  );
}
