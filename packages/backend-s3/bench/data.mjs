// Deterministic benchmark payload: byte at offset o is PATTERN[o % PATTERN.length]. The pattern length is odd so
// a reordered, duplicated or dropped multipart part shows up as a mismatch on download.

const PATTERN = Buffer.alloc(1024 * 1024 + 13);
// Fixed content from a cheap LCG so every process generates the same bytes without sharing anything.
let seed = 0x2545f491;
for (let i = 0; i < PATTERN.length; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  PATTERN[i] = seed >>> 24;
}

function fill(target, offset) {
  let written = 0;
  while (written < target.length) {
    const at = (offset + written) % PATTERN.length;
    written += PATTERN.copy(target, written, at, Math.min(PATTERN.length, at + target.length - written));
  }
  return target;
}

/** An async stream of `size` bytes in fresh 64 KiB chunks, like a socket or file stream would deliver. */
export async function* generate(size, chunkSize = 64 * 1024) {
  for (let offset = 0; offset < size; offset += chunkSize) {
    yield fill(Buffer.allocUnsafe(Math.min(chunkSize, size - offset)), offset);
  }
}

/** Consumes a download and checks every byte against the pattern; returns the byte count or throws. */
export async function verify(body, size) {
  let offset = 0;
  let expected = Buffer.alloc(0);
  for await (const chunk of body) {
    if (offset + chunk.length > size) throw new Error(`download longer than ${size} bytes`);
    if (expected.length < chunk.length) expected = Buffer.allocUnsafe(chunk.length);
    const want = fill(expected.subarray(0, chunk.length), offset);
    if (!want.equals(chunk))
      throw new Error(`download differs from upload within bytes ${offset}..${offset + chunk.length}`);
    offset += chunk.length;
  }
  if (offset !== size) throw new Error(`download has ${offset} bytes, expected ${size}`);
  return offset;
}
