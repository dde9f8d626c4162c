// The lean detector against file-type's own fileTypeFromBuffer: every signature file-type's source compares
// (read from its core.js, so a new release's signatures are covered too) placed at its offset in zeros, 0xff
// and random filler, alone and stacked two or three at a time (a container and its brand), plus random and
// text heads. Both must give the same answer for every one.
import { readFileSync } from 'node:fs';
import { fileTypeFromBuffer } from 'file-type';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../scripts/seeded-random.mjs';
import { detectFileType, signatureBytes } from '../src/file-type-detector.js';
import { SNIFF_BYTES } from '../src/sniff.js';

interface Signature {
  bytes: number[];
  offset: number;
}

function fileTypeSignatures(): Signature[] {
  const source = readFileSync(new URL('../node_modules/file-type/core.js', import.meta.url), 'utf8');
  const found: Signature[] = [];
  for (const m of source.matchAll(
    /this\.checkString\('((?:[^'\\]|\\.)*)'(?:, \{offset: (\d+)(?:, encoding: '([^']+)')?\})?\)/g,
  )) {
    // The literal's JavaScript escapes (\0, \r, \u0000, \\) read as JSON once \0 is spelled out.
    const literal = (m[1] as string).replace(/"/g, '\\"').replace(/\\0/g, '\\u0000');
    const text = JSON.parse(`"${literal}"`) as string;
    found.push({ bytes: signatureBytes(text, m[3]), offset: Number(m[2] ?? 0) });
  }
  for (const m of source.matchAll(/this\.check\(\[([0-9a-fA-Fx, ]+)\](?:, \{offset: (\d+)\})?\)/g)) {
    const bytes = (m[1] as string).split(',').map((b) => Number(b.trim()));
    found.push({ bytes, offset: Number(m[2] ?? 0) });
  }
  return found;
}

describe('file-type detector', () => {
  it('converts signature strings the way file-type does', () => {
    expect(signatureBytes('%PDF', undefined)).toEqual([0x25, 0x50, 0x44, 0x46]);
    expect(signatureBytes('<?', 'utf-16le')).toEqual([0x3c, 0, 0x3f, 0]);
    expect(signatureBytes('<?', 'utf-16be')).toEqual([0, 0x3c, 0, 0x3f]);
    expect(signatureBytes('\u00ff\u0100', undefined)).toEqual([0xff, 0x100]);
  });

  it('answers as file-type does for every signature it knows, alone and stacked', async () => {
    const signatures = fileTypeSignatures();
    // A file-type release that changed its source layout would leave this list empty and the test meaningless.
    expect(signatures.length).toBeGreaterThan(150);
    const rnd = seededRandom(20261205);
    const heads: Uint8Array[] = [];
    const place = (head: Uint8Array, s: Signature) => {
      if (s.offset + s.bytes.length <= head.length) head.set(s.bytes, s.offset);
    };
    for (const s of signatures) {
      for (const fill of [0, 0xff, -1]) {
        const head = new Uint8Array(SNIFF_BYTES);
        if (fill >= 0) head.fill(fill);
        else for (let i = 0; i < head.length; i++) head[i] = Math.floor(rnd() * 256);
        place(head, s);
        heads.push(head);
      }
    }
    for (let n = 0; n < 3000; n++) {
      const head = new Uint8Array(rnd() < 0.2 ? 1 + Math.floor(rnd() * 64) : SNIFF_BYTES);
      if (rnd() < 0.5) for (let i = 0; i < head.length; i++) head[i] = Math.floor(rnd() * 256);
      for (let k = Math.floor(rnd() * 4); k > 0; k--)
        place(head, signatures[Math.floor(rnd() * signatures.length)] as Signature);
      heads.push(head);
    }
    heads.push(new TextEncoder().encode('hello, plain text\n'.repeat(50)));

    const detected = new Set<string>();
    for (const head of heads) {
      const expected = await fileTypeFromBuffer(head);
      expect(await detectFileType(head)).toEqual(expected);
      if (expected) detected.add(expected.mime);
    }
    // The corpus reaches deep into file-type's table, not only its first few checks.
    expect(detected.size).toBeGreaterThan(80);
  });
});
