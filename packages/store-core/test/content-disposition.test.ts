// The Content-Disposition the Store hands its backend with every write: the one the middleware serves (one
// function for both), printable ASCII and bounded, so that S3 can store it with the object.
import { describe, expect, it } from 'vitest';
import { type Backend, contentDispositionFor, createStore, type PutOptions } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { stringBody } from './helpers.js';

function recording(): { backend: Backend; puts: PutOptions[] } {
  const inner = createMemoryBackend();
  const puts: PutOptions[] = [];
  const backend: Backend = {
    ...inner,
    put(key, body, options = {}) {
      puts.push(options);
      return inner.put(key, body, options);
    },
  };
  return { backend, puts };
}

describe('the disposition a write stores', () => {
  it('is contentDispositionFor the attachment: inline for passive types, attachment for active ones', async () => {
    const { backend, puts } = recording();
    const store = createStore({ backend });
    await store.write('a', stringBody('x'), { filename: 'résumé.pdf', contentType: 'application/pdf' });
    await store.write('b', stringBody('x'), { filename: 'x.txt', contentType: 'text/html' });
    await store.write('c', stringBody('x'), { filename: 'page.svg', contentType: 'image/png' });
    await store.write('d', stringBody('x'));
    expect(puts.map((p) => p.contentDisposition)).toEqual([
      `inline; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
      `attachment; filename="x.txt"; filename*=UTF-8''x.txt`,
      `attachment; filename="page.svg"; filename*=UTF-8''page.svg`,
      `inline; filename="d"; filename*=UTF-8''d`,
    ]);
    expect(puts[0]?.contentDisposition).toBe(
      contentDispositionFor({ id: 'a', filename: 'résumé.pdf', contentType: 'application/pdf' }),
    );
  });

  it('stays printable ASCII within 4 KiB for the longest name a write accepts', async () => {
    const { backend, puts } = recording();
    const store = createStore({ backend });
    // 1024 bytes percent-encoded is the filename limit; quotes and parentheses cost the most in both forms.
    const names = ['"'.repeat(341), '(*)'.repeat(341), `${'é'.repeat(170)}.txt`, `${'a'.repeat(1000)}.tar.gz`];
    for (const [i, filename] of names.entries()) {
      await store.write(`n${i}`, stringBody('x'), { filename });
      const value = puts[i]?.contentDisposition ?? '';
      expect(value).toMatch(/^[\x20-\x7e]+$/);
      expect(value.length).toBeLessThanOrEqual(4096);
    }
    expect(puts[3]?.contentDisposition).toMatch(/^inline; filename="a{197}\.gz"; filename\*=UTF-8''a{1000}\.tar\.gz$/);
  });
});
