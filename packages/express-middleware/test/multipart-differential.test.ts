// Our multipart parser against busboy (the parser it replaced, kept as a devDependency for this test only) on
// a few hundred random well-formed bodies, each cut into random chunks: both must see the same files (field
// name, filename, type, bytes) and the same text fields, in the same order.
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../../scripts/seeded-random.mjs';
import type { PartInfo } from '../src/multipart-headers.js';
import { MultipartParser } from '../src/multipart-parser.js';

type Seen =
  | { file: string; filename: string | undefined; type: string; data: string }
  | { field: string; value: string };

const BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?";
const NAME_CHARS = ['a', 'b', 'Z', '0', ' ', '-', '.', 'é', '日', '€', '\\"', '\\\\'];
const TYPES = ['application/octet-stream', 'image/png', 'text/plain', 'application/pdf'];

function makeBody(rnd: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const int = (max: number) => Math.floor(rnd() * (max + 1));
  const boundary = Array.from({ length: 1 + int(40) }, () => pick([...BCHARS])).join('') + (rnd() < 0.1 ? ' x' : '');
  const word = (chars = NAME_CHARS) => Array.from({ length: 1 + int(8) }, () => pick(chars)).join('');
  const unquote = (s: string) => s.replace(/\\(.)/g, '$1');
  const expected: Seen[] = [];
  const pieces: Buffer[] = [];
  if (rnd() < 0.3) pieces.push(Buffer.from(`preamble ${'-'.repeat(int(5))}\r\n`));
  for (let n = int(6); n > 0; n--) {
    const name = word();
    pieces.push(Buffer.from(`--${boundary}\r\n`));
    if (rnd() < 0.6) {
      // No backslash: busboy keeps only what follows the last one (we leave that to sanitizeFilename).
      const filename = `${word(NAME_CHARS.filter((c) => c !== '\\\\'))}.bin`;
      const type = pick(TYPES);
      // Bytes that look like the delimiter's start: CRLF, dashes, a prefix of the boundary.
      const parts: Buffer[] = [];
      for (let k = int(6); k > 0; k--) {
        const r = rnd();
        if (r < 0.3) parts.push(Buffer.from(`\r\n--${boundary.slice(0, int(boundary.length - 1))}`, 'latin1'));
        else if (r < 0.5) parts.push(Buffer.from(pick(['\r', '\r\n', '--', '\r\n-', '\n'])));
        else parts.push(Buffer.from(Array.from({ length: int(3000) }, () => int(255))));
      }
      const data = Buffer.concat(parts);
      pieces.push(
        Buffer.from(`Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\n`),
        Buffer.from(`Content-Type: ${type}\r\n\r\n`),
        data,
        Buffer.from('\r\n'),
      );
      expected.push({ file: unquote(name), filename: unquote(filename), type, data: data.toString('hex') });
    } else {
      const value = Array.from({ length: int(20) }, () => pick(['x', 'é', '\r\n', '-', ' ', '日'])).join('');
      pieces.push(Buffer.from(`Content-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
      expected.push({ field: unquote(name), value });
    }
  }
  pieces.push(Buffer.from(`--${boundary}--${rnd() < 0.3 ? '\r\nepilogue' : ''}`));
  return { boundary, body: Buffer.concat(pieces), expected };
}

/** Cuts `body` at random places into fresh buffers (a socket never hands out the same memory twice). */
function chunk(body: Buffer, rnd: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const size = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 8 : 2000));
    chunks.push(Buffer.from(body.subarray(at, at + size)));
    at += size;
  }
  return chunks;
}

function ours(boundary: string, chunks: Buffer[]): Seen[] {
  const seen: Seen[] = [];
  let info: PartInfo | undefined;
  let pieces: Buffer[] = [];
  const parser = new MultipartParser(
    boundary,
    {
      partStart: (part) => {
        info = part;
        pieces = [];
      },
      partData: (bytes) => void pieces.push(Buffer.from(bytes)),
      partEnd: () => {
        const data = Buffer.concat(pieces);
        if (info?.kind === 'file') {
          seen.push({ file: info.name, filename: info.filename, type: info.contentType, data: data.toString('hex') });
        } else if (info?.kind === 'field') seen.push({ field: info.name, value: data.toString('utf8') });
      },
    },
    { maxParts: 1000 },
  );
  for (const c of chunks) parser.write(c);
  parser.end();
  return seen;
}

async function theirs(boundary: string, chunks: Buffer[]): Promise<Seen[]> {
  const seen: Seen[] = [];
  const parser = busboy({
    headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
    defParamCharset: 'utf8',
    limits: { fieldSize: 1 << 20 },
  });
  const files: Promise<void>[] = [];
  parser.on('field', (name, value) => void seen.push({ field: name, value }));
  parser.on('file', (name, stream, info) => {
    const entry = { file: name, filename: info.filename, type: info.mimeType, data: '' };
    seen.push(entry);
    files.push(
      (async () => {
        const bytes: Buffer[] = [];
        for await (const b of stream) bytes.push(b);
        entry.data = Buffer.concat(bytes).toString('hex');
      })(),
    );
  });
  const closed = new Promise<void>((resolve, reject) => {
    parser.once('close', resolve);
    parser.once('error', reject);
  });
  Readable.from(chunks, { objectMode: false }).pipe(parser);
  await closed;
  await Promise.all(files);
  return seen;
}

describe('multipart parser against busboy', () => {
  it('random bodies and random chunkings: the same files and fields, byte for byte', async () => {
    let compared = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const { boundary, body, expected } = makeBody(rnd);
      const reference = await theirs(boundary, chunk(body, rnd));
      expect(reference, `seed ${seed}: busboy reads the generated body as generated`).toEqual(expected);
      for (let cut = 0; cut < 3; cut++) {
        expect(ours(boundary, chunk(body, rnd)), `seed ${seed}, chunking ${cut}`).toEqual(reference);
        compared++;
      }
    }
    expect(compared).toBe(900);
  });
});
