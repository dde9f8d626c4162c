import { bytes, chunked, expectAttError, getBytes, readBody } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

export function metadataChecks(h: Harness): void {
  const { timeout } = h.options;

  it('keeps content type and metadata through put, head and get', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('meta');
      const metadata = {
        'att-filename': 'r%C3%A9sum%C3%A9%20(final).pdf',
        'att-created': '1700000000000',
        plain: 'a value with spaces, commas; and = signs',
      };
      const put = await backend.put(k, chunked(bytes(10)), { contentType: 'application/pdf', metadata });
      expect(put.key).toBe(k);
      const head = await backend.head(k);
      expect(head.contentType, 'head() lost the content type').toBe('application/pdf');
      expect(head.metadata, 'head() lost or altered metadata').toEqual(metadata);
      const { info, body } = await backend.get(k);
      body.resume();
      expect(info.contentType, 'get() lost the content type').toBe('application/pdf');
      expect(info.metadata, 'get() lost or altered metadata').toEqual(metadata);
    }),
  );

  it('objects put without metadata have none', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('no-meta');
      await backend.put(k, chunked(bytes(3)));
      const head = await backend.head(k);
      expect(Object.keys(head.metadata ?? {}), 'metadata appeared out of nowhere').toEqual([]);
    }),
  );
}

export function rangeChecks(h: Harness): void {
  const { timeout } = h.options;
  if (!h.options.capabilities.range) return;

  it('serves inclusive ranges with the whole size in info', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('ranges');
      const data = bytes(1000);
      await backend.put(k, chunked(data, 77));
      const cases: Array<[{ start: number; end?: number }, number, number]> = [
        [{ start: 0, end: 0 }, 0, 0],
        [{ start: 10, end: 19 }, 10, 19],
        [{ start: 990 }, 990, 999],
        [{ start: 0, end: 999 }, 0, 999],
        [{ start: 999, end: 999 }, 999, 999],
        [{ start: 500, end: 5000 }, 500, 999],
      ];
      for (const [range, start, end] of cases) {
        const label = `range ${range.start}-${range.end ?? ''}`;
        const result = await backend.get(k, { range });
        const got = await readBody(result.body);
        expect(got.length, `${label}: wrong number of bytes (ranges are inclusive)`).toBe(end - start + 1);
        expect(got.equals(data.subarray(start, end + 1)), `${label}: wrong bytes`).toBe(true);
        expect(result.info.size, `${label}: info.size must be the whole object's size`).toBe(1000);
        expect(result.range, `${label}: result.range must be the satisfied range`).toEqual({ start, end });
      }
    }),
  );

  it('rejects unsatisfiable ranges with RANGE_NOT_SATISFIABLE', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('bad-ranges');
      await backend.put(k, chunked(bytes(100)));
      await expectAttError(backend.get(k, { range: { start: 100 } }), 'RANGE_NOT_SATISFIABLE', 'start = size');
      await expectAttError(
        backend.get(k, { range: { start: 5000, end: 6000 } }),
        'RANGE_NOT_SATISFIABLE',
        'start > size',
      );
      const empty = key('empty');
      await backend.put(empty, chunked(bytes(0)));
      await expectAttError(backend.get(empty, { range: { start: 0 } }), 'RANGE_NOT_SATISFIABLE', 'range of 0 bytes');
      expect((await getBytes(backend, k)).length, 'the object must be intact after bad ranges').toBe(100);
    }),
  );
}
