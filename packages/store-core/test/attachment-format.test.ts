// The metadata format other tools read: ISO-8601 dates, printable-ASCII filenames verbatim, everything else
// percent-encoded; and objects written in the older format (epoch-ms dates, every filename percent-encoded) still
// read back with the same facts.
import { describe, expect, it } from 'vitest';
import { createStore } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { stringBody } from './helpers.js';

describe('attachment metadata format', () => {
  it('writes ISO-8601 dates and a verbatim ASCII filename', async () => {
    const backend = createMemoryBackend();
    const store = createStore({ backend });
    const expiresAt = new Date('2031-05-06T07:08:09.010Z');
    await store.write('a', stringBody('x'), { filename: 'Report 2026 (final).pdf', expiresAt });
    const meta = (await backend.head('a')).metadata ?? {};
    expect(meta['att-filename'], 'an ASCII name is stored as it is').toBe('Report 2026 (final).pdf');
    expect(meta['att-expires']).toBe('2031-05-06T07:08:09.010Z');
    expect(meta['att-created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('percent-encodes names that a header cannot carry verbatim, and reads every form back', async () => {
    const backend = createMemoryBackend();
    const store = createStore({ backend });
    const names = ['résumé.pdf', '100% done.txt', ' padded ', '=?UTF-8?B?eA==?=', 'tab\there', 'a%20b.txt'];
    for (const [i, filename] of names.entries()) {
      await store.write(`n${i}`, stringBody('x'), { filename });
      const stored = (await backend.head(`n${i}`)).metadata?.['att-filename'] ?? '';
      expect(stored, `${JSON.stringify(filename)} stored as printable ASCII`).toMatch(
        /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/,
      );
      expect((await store.stat(`n${i}`)).filename, `${JSON.stringify(filename)} round trip`).toBe(filename);
    }
    expect((await backend.head('n0')).metadata?.['att-filename']).toBe('r%C3%A9sum%C3%A9.pdf');
  });

  it('reads objects written in the older format (epoch-ms dates, percent-encoded filename)', async () => {
    const backend = createMemoryBackend();
    const store = createStore({ backend });
    async function* body() {
      yield new TextEncoder().encode('old');
    }
    await backend.put('old', body(), {
      contentType: 'text/plain',
      metadata: {
        'att-filename': 'r%C3%A9sum%C3%A9%20(final).pdf',
        'att-created': '1700000000000',
        'att-expires': '1999999999000',
      },
    });
    const att = await store.stat('old');
    expect(att.filename).toBe('résumé (final).pdf');
    expect(att.createdAt.toISOString()).toBe(new Date(1_700_000_000_000).toISOString());
    expect(att.expiresAt?.toISOString()).toBe(new Date(1_999_999_999_000).toISOString());
  });
});
