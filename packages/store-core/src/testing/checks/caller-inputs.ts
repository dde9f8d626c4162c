/**
 * What a backend may assume about the caller's inputs to `put`: only what the contract says. Metadata follows the
 * shared rules (`checkObjectMetadata`), so every backend refuses what S3 would refuse; and chunks, the metadata
 * object and returned infos belong to the caller again once `put` resolves — a backend keeps copies, never them.
 */
import { bytes, chunked, expectAbsent, expectAttError, getBytes, KiB, sha256 } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { expect, it } from '../vitest.js';

/** Metadata every att backend must refuse: each breaks a rule of `checkObjectMetadata`. */
const REFUSED_METADATA: Array<[string, Record<string, unknown>]> = [
  ['an upper-case name', { 'Att-Name': 'x' }],
  ['an empty name', { '': 'x' }],
  ['a name with an underscore', { att_name: 'x' }],
  ['a name with a space', { 'att name': 'x' }],
  ['a name longer than 64 characters', { ['n'.repeat(65)]: 'x' }],
  ['a non-ASCII value', { filename: 'résumé.pdf' }],
  ['a value with CR LF (header injection)', { filename: 'a\r\nx-amz-meta-evil: 1' }],
  ['a value with a tab', { filename: 'a\tb' }],
  ['a value that is not a string', { size: 42 }],
  ['more than 2 KiB in total', { a: 'x'.repeat(1100), b: 'y'.repeat(1100) }],
];

export function callerInputChecks(h: Harness): void {
  const { timeout } = h.options;

  it('refuses metadata outside the shared rules with INVALID_REQUEST and stores nothing', { timeout }, () =>
    h.use(async (backend, key) => {
      for (const [label, metadata] of REFUSED_METADATA) {
        const k = key(`bad-meta/${label.replace(/[^a-z0-9]+/gi, '-')}`);
        await expectAttError(
          backend.put(k, chunked(bytes(10)), { metadata: metadata as Record<string, string> }),
          'INVALID_REQUEST',
          `put() with ${label} in metadata (checkObjectMetadata's rules)`,
        );
        await expectAbsent(backend, k, `put() with ${label} in metadata`);
      }
    }),
  );

  it('keeps copies: chunks and metadata reused by the caller after put resolves change nothing', { timeout }, () =>
    h.use(async (backend, key) => {
      const k = key('caller-reuse');
      const source = bytes(300 * KiB + 11);
      const expected = sha256(source);
      const metadata: Record<string, string> = { owner: 'first' };
      await backend.put(k, chunked(source, 16 * KiB + 3), { contentType: 'text/plain', metadata });
      // The caller reuses its buffer and its options object, as a pooled reader or a reused form would.
      source.fill(0xee);
      metadata.owner = 'changed';
      metadata.extra = 'added';
      const got = await getBytes(backend, k);
      expect(got.length, 'size changed after the caller reused its buffer').toBe(source.length);
      expect(sha256(got) === expected, 'stored bytes changed when the caller reused its buffer after put').toBe(true);
      const info = await backend.head(k);
      expect(info.metadata, 'stored metadata follows the caller-owned object').toEqual({ owner: 'first' });
      (info.metadata as Record<string, string>).owner = 'scribbled';
      info.size = 1;
      const again = await backend.head(k);
      expect([again.size, again.metadata], 'changing a returned info changed the stored object').toEqual([
        source.length,
        { owner: 'first' },
      ]);
    }),
  );
}
