// The multipart framing on its own: every way a small body can be cut into chunks, delimiters split at every
// offset, delimiter-like bytes inside file data, and the malformed bodies that must be refused.
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { multipartBoundary, type PartInfo } from '../src/multipart-headers.js';
import { MultipartParser } from '../src/multipart-parser.js';

interface ParsedPart {
  info: PartInfo;
  data: Buffer;
}

/** Parses `chunks` in order; returns the parts, or the error code and message the parser threw. */
function parse(boundary: string, chunks: Buffer[], maxParts = 1000): ParsedPart[] | { error: string } {
  const parts: ParsedPart[] = [];
  let pieces: Buffer[] = [];
  let open = false;
  const parser = new MultipartParser(
    boundary,
    {
      partStart: (info) => {
        expect(open, 'a part starts while another is open').toBe(false);
        open = true;
        parts.push({ info, data: Buffer.alloc(0) });
        pieces = [];
      },
      partData: (bytes) => {
        expect(open, 'data outside a part').toBe(true);
        pieces.push(Buffer.from(bytes));
      },
      partEnd: () => {
        expect(open, 'a part ends that never started').toBe(true);
        open = false;
        (parts.at(-1) as ParsedPart).data = Buffer.concat(pieces);
      },
    },
    { maxParts, maxHeaderBytes: 1024 },
  );
  try {
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  } catch (err) {
    if (!isAttError(err)) throw err;
    return { error: `${err.code}: ${err.message}` };
  }
  return parts;
}

/** Every way of cutting `body` in two and in three pieces (copies, as sockets hand out fresh buffers). */
function* splits(body: Buffer): Generator<Buffer[]> {
  yield [Buffer.from(body)];
  for (let i = 1; i < body.length; i++) {
    yield [Buffer.from(body.subarray(0, i)), Buffer.from(body.subarray(i))];
  }
  for (let i = 1; i < body.length; i += 3) {
    for (let j = i + 1; j < body.length; j += 2) {
      yield [body.subarray(0, i), body.subarray(i, j), body.subarray(j)].map((b) => Buffer.from(b));
    }
  }
}

const B = 'X-b0und';
const file = (name: string, filename: string, data: string | Buffer, type = 'application/octet-stream') =>
  Buffer.concat([
    Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    Buffer.from(data),
    Buffer.from('\r\n'),
  ]);
const field = (name: string, value: string) =>
  Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
const close = Buffer.from(`--${B}--\r\n`);

/** The parts as plain values, to compare with one `toEqual`. */
const summary = (parts: ParsedPart[] | { error: string }) =>
  'error' in parts
    ? parts
    : parts.map(({ info, data }) => ({ kind: info.kind, name: info.name, filename: info.filename, data: `${data}` }));

describe('multipart parser', () => {
  it('files and fields come out the same however the body is cut, a delimiter split at every offset', () => {
    // File data that looks like a delimiter but is not one: CRLF, dashes and a prefix of the boundary.
    const tricky = `a\r\n--X-b0un\r\n-\r\r\n--X-b0unX--\r`;
    const body = Buffer.concat([
      Buffer.from('preamble, ignored\r\n'),
      file('f1', 'one.txt', tricky),
      field('title', 'Holiday'),
      file('f2', 'empty.bin', ''),
      field('empty', ''),
      file('f3', 'three.txt', '\r\n'),
      close,
      Buffer.from('epilogue, ignored --X-b0und\r\n'),
    ]);
    const expected = [
      { kind: 'file', name: 'f1', filename: 'one.txt', data: tricky },
      { kind: 'field', name: 'title', filename: undefined, data: 'Holiday' },
      { kind: 'file', name: 'f2', filename: 'empty.bin', data: '' },
      { kind: 'field', name: 'empty', filename: undefined, data: '' },
      { kind: 'file', name: 'f3', filename: 'three.txt', data: '\r\n' },
    ];
    let cuts = 0;
    for (const chunks of splits(body)) {
      expect(summary(parse(B, chunks)), `cut at ${chunks.map((c) => c.length).join('+')}`).toEqual(expected);
      cuts++;
    }
    expect(cuts).toBeGreaterThan(body.length);
    // One byte at a time.
    expect(
      summary(
        parse(
          B,
          [...body].map((byte) => Buffer.from([byte])),
        ),
      ),
    ).toEqual(expected);
  });

  it('names: quoted with backslash escapes, filename* (RFC 5987) before filename, raw UTF-8, token values', () => {
    const body = Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="a \\"q\\" b"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nx\r\n` +
        `--${B}\r\ncontent-disposition: FORM-DATA;name=tok;filename=plain.txt\r\n\r\ny\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="f"; filename="naïve 日本.txt"\r\n\r\nz\r\n` +
        `--${B}--`,
    );
    for (const chunks of splits(body)) {
      const parts = parse(B, chunks);
      expect(summary(parts)).toEqual([
        { kind: 'file', name: 'a "q" b', filename: '€ rates.txt', data: 'x' },
        { kind: 'file', name: 'tok', filename: 'plain.txt', data: 'y' },
        { kind: 'file', name: 'f', filename: 'naïve 日本.txt', data: 'z' },
      ]);
    }
  });

  it('types: text/plain by default; an octet-stream part without a filename is a file; no disposition is skipped', () => {
    const body = Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: Text/Markdown; charset=ISO-8859-1\r\n\r\nx\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="b"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n` +
        `--${B}\r\nContent-Type: image/png\r\n\r\nnot in the form\r\n` +
        `--${B}\r\n\r\nno headers at all\r\n` +
        `--${B}\r\nContent-Disposition: attachment; name="c"\r\n\r\nnot form-data\r\n` +
        `--${B}--\r\n`,
    );
    const parts = parse(B, [body]) as ParsedPart[];
    expect(parts.map((p) => [p.info.kind, p.info.contentType, p.info.charset, p.info.filename, `${p.data}`])).toEqual([
      ['field', 'text/markdown', 'iso-8859-1', undefined, 'x'],
      ['file', 'application/octet-stream', 'utf-8', undefined, ''],
      ['skip', 'image/png', 'utf-8', undefined, 'not in the form'],
      ['skip', 'text/plain', 'utf-8', undefined, 'no headers at all'],
      ['skip', 'text/plain', 'utf-8', undefined, 'not form-data'],
    ]);
  });

  it('a body without its closing delimiter is refused, wherever it stops', () => {
    const body = Buffer.concat([field('a', 'x'), file('f', 'f.txt', 'data')]);
    for (let end = 0; end <= body.length; end++) {
      const result = parse(B, [body.subarray(0, end)]);
      expect(result, `body cut after ${end} bytes`).toEqual({
        error: 'INVALID_REQUEST: malformed multipart/form-data body: the body ends before its closing delimiter',
      });
    }
    // A closing delimiter with nothing after it is complete.
    expect(summary(parse(B, [Buffer.from(`--${B}--`)]))).toEqual([]);
  });

  it('malformed part headers are refused: LF-only lines, control bytes, bare CR, no colon, a continuation first', () => {
    const cases = {
      'LF-only lines': `--${B}\nContent-Disposition: form-data; name="a"\n\nx\n--${B}--\r\n`,
      'LF-only header lines': `--${B}\r\nContent-Disposition: form-data; name="a"\nX: y\r\n\r\nx\r\n--${B}--\r\n`,
      'control byte': `--${B}\r\nContent-Disposition: form-data; name="a"; filename="m\u0001.txt"\r\n\r\nx\r\n--${B}--\r\n`,
      DEL: `--${B}\r\nContent-Disposition: form-data; name="a\u007f"\r\n\r\nx\r\n--${B}--\r\n`,
      'bare CR': `--${B}\r\nContent-Disposition: form-data;\r name="a"\r\n\r\nx\r\n--${B}--\r\n`,
      'no colon': `--${B}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${B}--\r\n`,
      'continuation first': `--${B}\r\n folded\r\n\r\nx\r\n--${B}--\r\n`,
      'unterminated quote': `--${B}\r\nContent-Disposition: form-data; name="a\r\n\r\nx\r\n--${B}--\r\n`,
      'junk after a delimiter': `--${B}junk\r\n\r\nx\r\n--${B}--\r\n`,
    };
    for (const [what, body] of Object.entries(cases)) {
      const result = parse(B, [Buffer.from(body, 'latin1')]);
      expect('error' in result && result.error, what).toMatch(/^INVALID_REQUEST: malformed multipart\/form-data body/);
    }
    // A tab in a value and a folded line are allowed.
    const ok = parse(B, [
      Buffer.from(`--${B}\r\nContent-Disposition: form-data;\r\n\tname="a"; filename="t\tb.txt"\r\n\r\nx\r\n--${B}--`),
    ]);
    expect(summary(ok)).toEqual([{ kind: 'file', name: 'a', filename: 't\tb.txt', data: 'x' }]);
  });

  it('a header block over the bound is refused however it arrives, and one at the bound is read', () => {
    const header = (size: number) => {
      const prefix = 'Content-Disposition: form-data; name="a"\r\nX-Pad: ';
      return `${prefix}${'p'.repeat(size - prefix.length)}`;
    };
    const body = (size: number) => Buffer.from(`--${B}\r\n${header(size)}\r\n\r\nx\r\n--${B}--\r\n`);
    for (const chunk of [7, 100, 1023, 1024, 1025, 4096]) {
      const pieces = (buf: Buffer) =>
        Array.from({ length: Math.ceil(buf.length / chunk) }, (_, i) => buf.subarray(i * chunk, (i + 1) * chunk));
      expect(summary(parse(B, pieces(body(1024)))), `chunks of ${chunk}`).toEqual([
        { kind: 'field', name: 'a', filename: undefined, data: 'x' },
      ]);
      expect(parse(B, pieces(body(1025))), `chunks of ${chunk}`).toEqual({
        error: 'INVALID_REQUEST: malformed multipart/form-data body: a part header block is longer than 1024 bytes',
      });
    }
    // A header block that never ends is refused once it passes the bound, not buffered.
    const endless = parse(B, [Buffer.from(`--${B}\r\n`), ...Array.from({ length: 100 }, () => Buffer.alloc(100, 'h'))]);
    expect(endless).toEqual({
      error: 'INVALID_REQUEST: malformed multipart/form-data body: a part header block is longer than 1024 bytes',
    });
  });

  it('more parts than the limit are refused as they start', () => {
    const body = Buffer.concat([field('a', '1'), field('b', '2'), field('c', '3'), close]);
    expect(summary(parse(B, [body], 3))).toHaveLength(3);
    expect(parse(B, [body], 2)).toEqual({ error: 'INVALID_REQUEST: too many parts in multipart request' });
  });

  it('boundaries: RFC 2046 characters, 1–70 of them, quoted or not; anything else is no multipart body', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; BOUNDARY="a b:c?=\'()+_,-./"')).toBe(
      "a b:c?='()+_,-./",
    );
    expect(multipartBoundary(`multipart/form-data; boundary=${'b'.repeat(70)}`)).toBe('b'.repeat(70));
    for (const bad of [
      `multipart/form-data; boundary=${'b'.repeat(71)}`,
      'multipart/form-data; boundary=""',
      'multipart/form-data; boundary="ends in space "',
      'multipart/form-data; boundary="a\\"b"',
      'multipart/form-data; boundary="a\rb"',
      'multipart/form-data',
      'multipart/mixed; boundary=abc',
      undefined,
    ]) {
      expect(multipartBoundary(bad), String(bad)).toBeUndefined();
    }
    // A boundary with a space parses a body end to end.
    const body = Buffer.from('--a b\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--a b--');
    expect(summary(parse('a b', [body]))).toEqual([{ kind: 'field', name: 'x', filename: undefined, data: 'v' }]);
  });
});
