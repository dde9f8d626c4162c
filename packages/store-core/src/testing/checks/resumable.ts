/**
 * Checks of the optional resumable capability (`backend.resumable`); a backend without it passes them untested.
 * What they pin down: offsets are exact and conflicts change nothing, a new instance resumes where the old one
 * stopped, nothing is visible before `complete` and everything after it, abort and cleanup leave nothing.
 */
import type { Backend, Resumable } from '../../backend.js';
import { bytes, chunked, expectAbsent, expectAttError, failingBody, getBytes, KiB, listAll, MiB } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

type Check = (
  backend: Backend,
  resumable: Resumable,
  key: (name: string) => string,
  prefix: (name: string) => string,
) => Promise<void>;

export function resumableChecks(h: Harness): void {
  const { timeout } = h.options;
  const check = (name: string, fn: Check) =>
    it(name, { timeout }, () =>
      h.use(async (backend, key, prefix) => {
        if (!backend.resumable) return;
        await fn(backend, backend.resumable, key, prefix);
      }),
    );

  // Sizes that cross S3's 5 MiB part boundary in uneven appends (only with largeBodies).
  const appendPlans: Array<[string, number[]]> = [
    ['three small appends', [1, 100 * KiB, 3 * KiB + 7]],
    ['an upload of 0 B', []],
  ];
  if (h.options.largeBodies)
    appendPlans.push(['appends across 5 MiB part boundaries', [3 * MiB, 3 * MiB + 1, 5 * MiB]]);
  for (const [label, plan] of appendPlans) {
    check(
      `round trip: ${label}, published by complete() with its content type and metadata`,
      async (backend, r, key) => {
        const k = key(`resumable/round-${plan.length}`);
        const length = plan.reduce((a, b) => a + b, 0);
        const data = bytes(length);
        const created = await r.create(k, { length, contentType: 'text/x-att', metadata: { 'att-test': 'yes' } });
        expect(created.offset, 'a new upload is at offset 0').toBe(0);
        expect(created.length, 'create() reports the declared length').toBe(length);
        let offset = 0;
        for (const size of plan) {
          const status = await r.append(k, offset, chunked(data.subarray(offset, offset + size), 64 * KiB + 3));
          offset += size;
          expect(status.offset, `append() reported offset ${status.offset}, expected ${offset}`).toBe(offset);
          expect((await r.status(k)).offset, 'status() disagrees with the last append').toBe(offset);
        }
        await expectAbsent(backend, k, 'all bytes appended but not completed');
        const info = await r.complete(k);
        expect(info.size, 'complete() reported the wrong size').toBe(length);
        expect((await getBytes(backend, k)).equals(data), 'the published object differs from the appended bytes').toBe(
          true,
        );
        const head = await backend.head(k);
        expect(head.contentType, 'content type lost on the way').toBe('text/x-att');
        expect(head.metadata?.['att-test'], 'metadata lost on the way').toBe('yes');
        await expectAttError(r.status(k), 'NOT_FOUND', 'status() after complete()');
      },
    );
  }

  check('an append at the wrong offset fails with CONFLICT and changes nothing', async (backend, r, key) => {
    const k = key('resumable/conflict');
    const data = bytes(10 * KiB);
    await r.create(k, { length: data.length });
    await r.append(k, 0, chunked(data.subarray(0, 4 * KiB)));
    await expectAttError(r.append(k, 0, chunked(data.subarray(0, 4 * KiB))), 'CONFLICT', 'append at offset 0 again');
    await expectAttError(r.append(k, 5 * KiB, chunked(data.subarray(5 * KiB))), 'CONFLICT', 'append past the offset');
    expect((await r.status(k)).offset, 'a refused append moved the offset').toBe(4 * KiB);
    await r.append(k, 4 * KiB, chunked(data.subarray(4 * KiB)));
    await r.complete(k);
    expect((await getBytes(backend, k)).equals(data), 'bytes differ after refused appends').toBe(true);
  });

  check('a new backend instance resumes the upload where the old one stopped', async (backend, r, key) => {
    const k = key('resumable/restart');
    const data = bytes(300 * KiB + 11);
    await r.create(k, { length: data.length, contentType: 'application/x-restart' });
    await r.append(k, 0, chunked(data.subarray(0, 200 * KiB)));
    const second = await h.create();
    try {
      const r2 = second.resumable;
      expect(r2, 'a second instance of the same backend has no resumable capability').toBeDefined();
      if (!r2) return;
      const status = await r2.status(k);
      expect(status.offset, 'the new instance sees another offset').toBe(200 * KiB);
      expect(status.length, 'the new instance lost the length').toBe(data.length);
      await r2.append(k, status.offset, chunked(data.subarray(status.offset)));
      await r2.complete(k);
    } finally {
      await second.close?.();
    }
    expect((await getBytes(backend, k)).equals(data), 'bytes differ after resuming on a new instance').toBe(true);
    expect((await backend.head(k)).contentType, 'content type lost across instances').toBe('application/x-restart');
  });

  check(
    'a body that fails midway keeps the bytes that arrived; the upload continues from there',
    async (backend, r, key) => {
      const k = key('resumable/broken-body');
      const data = bytes(256 * KiB);
      await r.create(k, { length: data.length });
      const failure = new Error('connection lost');
      await expect(r.append(k, 0, failingBody(data.subarray(0, 128 * KiB), failure))).rejects.toThrow();
      const { offset } = await r.status(k);
      expect(offset, 'the offset is not the number of bytes that arrived').toBe(128 * KiB);
      await r.append(k, offset, chunked(data.subarray(offset)));
      await r.complete(k);
      expect((await getBytes(backend, k)).equals(data), 'bytes differ after a broken append').toBe(true);
    },
  );

  check('an append whose verify() rejects keeps none of its bytes', async (backend, r, key) => {
    const k = key('resumable/verify');
    const data = bytes(64 * KiB);
    await r.create(k, { length: data.length });
    await r.append(k, 0, chunked(data.subarray(0, KiB)));
    const refused = r.append(k, KiB, chunked(data.subarray(KiB, 9 * KiB)), {
      verify: () => Promise.reject(new Error('checksum mismatch')),
    });
    await expect(refused, 'append() resolved although verify() rejected').rejects.toThrow('checksum mismatch');
    expect((await r.status(k)).offset, 'a refused append moved the offset').toBe(KiB);
    await r.append(k, KiB, chunked(data.subarray(KiB)), { verify: () => {} });
    await r.complete(k);
    expect((await getBytes(backend, k)).equals(data), 'bytes differ after a refused append').toBe(true);
  });

  check(
    'bytes past the length fail with SIZE_MISMATCH; complete() before the end fails too',
    async (_backend, r, key) => {
      const k = key('resumable/too-long');
      await r.create(k, { length: 10 });
      await expectAttError(
        r.append(k, 0, chunked(bytes(11))),
        'SIZE_MISMATCH',
        'an 11-byte append to a 10-byte upload',
      );
      await r.append(k, 0, chunked(bytes(4)));
      await expectAttError(r.complete(k), 'SIZE_MISMATCH', 'complete() at 4 of 10 bytes');
      await r.abort(k);
    },
  );

  check('a deferred length is declared by a later append', async (backend, r, key) => {
    const k = key('resumable/deferred');
    const data = bytes(70 * KiB);
    const created = await r.create(k);
    expect(created.length, 'a deferred upload reports a length').toBeUndefined();
    await r.append(k, 0, chunked(data.subarray(0, 30 * KiB)));
    await expectAttError(r.complete(k), 'SIZE_MISMATCH', 'complete() before the length is known');
    expect((await r.status(k)).length, 'the length appeared by itself').toBeUndefined();
    const done = await r.append(k, 30 * KiB, chunked(data.subarray(30 * KiB)), { length: data.length });
    expect(done.length, 'the declared length is not reported').toBe(data.length);
    await r.complete(k);
    expect((await getBytes(backend, k)).equals(data), 'bytes differ for a deferred-length upload').toBe(true);
  });

  check(
    'abort() leaves nothing and is idempotent; listing never shows an unfinished upload',
    async (backend, r, key, prefix) => {
      const k = key('resumable/aborted/x');
      await r.create(k, { length: 100 * KiB });
      await r.append(k, 0, chunked(bytes(50 * KiB)));
      expect(await listAll(backend, prefix('resumable/aborted/')), 'an unfinished upload is listed').toEqual([]);
      await r.abort(k);
      await r.abort(k);
      await expectAttError(r.status(k), 'NOT_FOUND', 'status() after abort()');
      await expectAttError(r.append(k, 50 * KiB, chunked(bytes(1))), 'NOT_FOUND', 'append() after abort()');
      await expectAbsent(backend, k, 'aborted upload');
      expect(await listAll(backend, prefix('resumable/aborted/')), 'an aborted upload is listed').toEqual([]);
    },
  );

  check('cleanupIncomplete() removes uploads idle since before the cutoff, and only those', async (backend, r, key) => {
    const k = key('resumable/stale');
    await r.create(k, { length: 10 });
    await r.append(k, 0, chunked(bytes(3)));
    await backend.cleanupIncomplete(new Date(0));
    expect((await r.status(k)).offset, 'cleanup with an old cutoff removed a live upload').toBe(3);
    const removed = await backend.cleanupIncomplete(new Date(Date.now() + 60_000));
    expect(removed, 'cleanup did not count the stale upload').toBeGreaterThanOrEqual(1);
    await expectAttError(r.status(k), 'NOT_FOUND', 'status() of a cleaned-up upload');
    await expectAbsent(backend, k, 'cleaned-up upload');
  });

  check('create() again replaces a pending upload under the same key', async (backend, r, key) => {
    const k = key('resumable/recreated');
    await r.create(k, { length: 5 });
    await r.append(k, 0, chunked(bytes(2)));
    const again = await r.create(k, { length: 3 });
    expect(again.offset, 'the new upload starts with the old bytes').toBe(0);
    const data = bytes(3);
    await r.append(k, 0, chunked(data));
    await r.complete(k);
    expect((await getBytes(backend, k)).equals(data), 'bytes of the replaced upload leaked into the new one').toBe(
      true,
    );
  });
}
