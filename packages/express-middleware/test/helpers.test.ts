import { describe, expect, it } from 'vitest';
import { isActiveType } from '../src/active-types.js';
import { ifNoneMatchHits, parseRange } from '../src/conditional.js';
import {
  encodeRfc5987,
  formatContentDisposition,
  parseContentDispositionFilename,
} from '../src/content-disposition.js';
import { decodeHeaderText, sanitizeFilename } from '../src/filename.js';
import { assertValidId, DEFAULT_ID_PATTERN, generateId } from '../src/id.js';
import { sniffContentType } from '../src/sniff.js';

describe('ids', () => {
  it('are 22 base62 characters from the CSPRNG, all different', () => {
    const ids = new Set(Array.from({ length: 2000 }, generateId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{22}$/);
  });
  it('rejects traversal, NUL, too long', () => {
    for (const bad of ['../x', '..', 'a/b', 'a\0b', 'x'.repeat(129), '', '%2e%2e']) {
      expect(() => assertValidId(bad, DEFAULT_ID_PATTERN)).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
    }
    expect(() => assertValidId('x'.repeat(128), DEFAULT_ID_PATTERN)).not.toThrow();
  });
});

describe('filenames', () => {
  it('drops path parts, control and bidi characters', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\me\\a.txt')).toBe('a.txt');
    expect(sanitizeFilename('evil\r\nSet-Cookie: x.txt')).toBe('evilSet-Cookie: x.txt');
    expect(sanitizeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFilename('..')).toBeUndefined();
    expect(sanitizeFilename('  ')).toBeUndefined();
  });
  it('truncates long names on a character boundary and keeps the extension', () => {
    const name = sanitizeFilename(`${'ü'.repeat(300)}.pdf`) as string;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('ü.pdf')).toBe(true);
  });
  it('re-decodes UTF-8 bytes that arrived as Latin-1 header text', () => {
    expect(decodeHeaderText(Buffer.from('résumé.pdf').toString('latin1'))).toBe('résumé.pdf');
    expect(decodeHeaderText('plain.txt')).toBe('plain.txt');
  });
});

describe('Content-Disposition', () => {
  it('always sends an ASCII fallback and filename* (also for Latin-1 names)', () => {
    expect(formatContentDisposition('inline', 'café.txt')).toBe(
      `inline; filename="cafe.txt"; filename*=UTF-8''caf%C3%A9.txt`,
    );
    expect(formatContentDisposition('attachment', 'a "b" \\c.txt')).toBe(
      `attachment; filename="a \\"b\\" \\\\c.txt"; filename*=UTF-8''a%20%22b%22%20%5Cc.txt`,
    );
    expect(encodeRfc5987("it's (1)*.txt")).toBe('it%27s%20%281%29%2A.txt');
  });
  it('round-trips through its own parser, filename* preferred', () => {
    for (const name of ['日本語 "quoted".txt', 'plain.bin', 'a;b=c.txt', 'ü\\x']) {
      expect(parseContentDispositionFilename(formatContentDisposition('attachment', name))).toBe(name);
    }
    expect(parseContentDispositionFilename('attachment; filename="x.txt"')).toBe('x.txt');
    expect(parseContentDispositionFilename("attachment; filename*=iso-8859-1'en'caf%E9.txt")).toBe('café.txt');
    expect(parseContentDispositionFilename('attachment')).toBeUndefined();
  });
});

describe('Range', () => {
  it('parses single ranges, suffixes and open ends', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ kind: 'partial', start: 50, end: 99 });
  });
  it('knows unsatisfiable from ignorable', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=5-1', 100)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'full' });
    expect(parseRange('items=0-1', 100)).toEqual({ kind: 'full' });
  });
  it('matches If-None-Match weakly and with *', () => {
    expect(ifNoneMatchHits('"a", W/"b"', '"b"')).toBe(true);
    expect(ifNoneMatchHits('*', '"b"')).toBe(true);
    expect(ifNoneMatchHits('"c"', '"b"')).toBe(false);
  });
});

describe('content sniffing', () => {
  it('trusts bytes over claims', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect((await sniffContentType(png, 'text/plain')).type).toBe('image/png');
    expect((await sniffContentType(Buffer.from('<!DOCTYPE html><p>x'), 'image/png')).type).toMatch(/^text\/html/);
    expect((await sniffContentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), undefined)).type).toBe(
      'image/svg+xml',
    );
    expect((await sniffContentType(Buffer.from('{"a":1}'), 'application/json')).type).toBe(
      'application/json; charset=utf-8',
    );
    // A claimed active type is kept for text (it only makes downloads stricter); other claims are not.
    expect((await sniffContentType(Buffer.from('alert(1)'), 'text/javascript')).type).toBe('text/javascript');
    expect((await sniffContentType(Buffer.from('alert(1)'), 'application/x-sh')).type).toBe(
      'text/plain; charset=utf-8',
    );
    expect((await sniffContentType(Buffer.from([0, 1, 2, 3]), 'text/plain')).type).toBe('application/octet-stream');
  });
  it('marks active types', () => {
    for (const t of [
      'text/html; charset=utf-8',
      'image/svg+xml',
      'application/atom+xml',
      'text/javascript',
      'text/xml',
    ]) {
      expect(isActiveType(t)).toBe(true);
    }
    for (const t of ['text/plain', 'image/png', 'application/pdf']) expect(isActiveType(t)).toBe(false);
  });
});
