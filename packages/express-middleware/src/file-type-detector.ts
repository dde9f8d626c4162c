/**
 * file-type's detection, without its per-check garbage. Every upload is sniffed, and on bytes that match nothing
 * (the common case for random or compressed data) file-type runs ~150 signature checks, each turning its
 * signature string into a fresh array and building an options object and an entries iterator: ~40 KB of
 * short-lived objects per upload, more than the rest of att's upload path allocates. That garbage is what made
 * V8 grow its young generation (and the process's RSS) on many small uploads.
 *
 * `check` and `checkString` are the two comparisons every signature goes through; here they compare in place
 * and keep each signature's bytes once. Same answers (test/file-type-detector.test.ts compares both on every
 * signature file-type knows of, at its offsets), about a third of the allocation and CPU. file-type is pinned
 * exactly, so a release that renamed these methods would only make detection as costly as before, never wrong.
 */
import type { FileTypeResult } from 'file-type';

interface CheckOptions {
  offset?: number;
  mask?: ArrayLike<number>;
  encoding?: string;
}

/** The bytes `checkString` compares for a signature string, as file-type's own conversion makes them. */
export function signatureBytes(signature: string, encoding: string | undefined): number[] {
  const bytes: number[] = [];
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    for (let i = 0; i < signature.length; i++) {
      const code = signature.charCodeAt(i);
      if (encoding === 'utf-16le') bytes.push(code & 0xff, (code >> 8) & 0xff);
      else bytes.push((code >> 8) & 0xff, code & 0xff);
    }
    return bytes;
  }
  // By code point, as file-type does: a character outside the BMP contributes its lead surrogate only.
  for (const character of signature) bytes.push(character.charCodeAt(0));
  return bytes;
}

type Detect = (head: Uint8Array) => Promise<FileTypeResult | undefined>;

let detector: Promise<Detect> | undefined;

async function loadDetector(): Promise<Detect> {
  const { FileTypeParser } = await import('file-type');
  // Signatures are a fixed set of literals in file-type's source: this stays at a few hundred entries.
  const signatures = new Map<string, number[]>();

  class LeanFileTypeParser extends FileTypeParser {
    declare buffer: Uint8Array;

    check(header: ArrayLike<number>, options?: CheckOptions): boolean {
      const buffer = this.buffer;
      const offset = options?.offset ?? 0;
      const mask = options?.mask;
      for (let i = 0; i < header.length; i++) {
        const byte = buffer[i + offset] as number;
        if (header[i] !== (mask ? (mask[i] as number) & byte : byte)) return false;
      }
      return true;
    }

    checkString(header: string, options?: CheckOptions): boolean {
      const encoding = options?.encoding;
      const key = encoding ? `${encoding}\0${header}` : header;
      let bytes = signatures.get(key);
      if (!bytes) {
        bytes = signatureBytes(header, encoding);
        signatures.set(key, bytes);
      }
      return this.check(bytes, options);
    }
  }

  return (head) => new LeanFileTypeParser().fromBuffer(head);
}

/** The type file-type finds in `head`, or undefined. file-type is loaded on first use. */
export async function detectFileType(head: Uint8Array): Promise<FileTypeResult | undefined> {
  detector ??= loadDetector();
  return (await detector)(head);
}
