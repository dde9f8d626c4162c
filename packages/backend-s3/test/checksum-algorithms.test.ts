// The three CRC algorithms against independent reference implementations (exact-pinned devDependencies: zlib for
// CRC32, @aws-crypto/crc32c, @aws-sdk/crc64-nvme — the SDK's own), on published check values, random buffers fed
// in random pieces, and the FULL_OBJECT combine of random splits.
import { randomBytes, randomInt } from 'node:crypto';
import zlib from 'node:zlib';
import { crc32c as referenceCrc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { describe, expect, it } from 'vitest';
import type { ChecksumAlgorithm } from '../src/checksum-algorithm.js';
import { CHECKSUM_ALGORITHMS, checksumAlgorithm } from '../src/checksum-algorithms.js';

function base64(value: bigint, bytes: number): string {
  const out = Buffer.alloc(bytes);
  for (let i = bytes - 1, rest = value; i >= 0; i--, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out.toString('base64');
}

async function reference(name: string, data: Uint8Array): Promise<string> {
  if (name === 'crc32') return base64(BigInt(zlib.crc32(data)), 4);
  if (name === 'crc32c') return base64(BigInt(referenceCrc32c(data)), 4);
  const hash = new Crc64Nvme();
  hash.update(data);
  return Buffer.from(await hash.digest()).toString('base64');
}

/** `data` hashed in random pieces (0 to 20 bytes, or large), so every tail length of the 8-byte loop is met. */
function inPieces(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const hasher = algorithm.createHasher();
  for (let offset = 0; offset < data.length; ) {
    const size = randomInt(0, 2) === 0 ? randomInt(0, 21) : randomInt(21, 70_000);
    hasher.update(data.subarray(offset, offset + size));
    offset += size;
  }
  return hasher.digest();
}

const algorithms = Object.values(CHECKSUM_ALGORITHMS);

it('crc32: combines across a length beyond 4 GiB (a shift past 32 bits), against the bytes hashed in one pass', () => {
  // crc(head · 0^n) two ways: hashed straight through (zlib: fast), and combined from crc(head) and crc(0^n), the
  // latter put together from 64 MiB blocks. The combine is one code for every width (crc-combine.ts).
  const algorithm = CHECKSUM_ALGORITHMS.crc32;
  const block = Buffer.alloc(64 * 1024 * 1024);
  const n = 2 ** 32 + 3;
  const head = Buffer.from('head');
  const straight = algorithm.createHasher();
  straight.update(head);
  const blockDigest = algorithm.digest(block);
  let zeros = algorithm.digest(Buffer.alloc(0));
  for (let left = n; left > 0; left -= block.length) {
    const piece = block.subarray(0, Math.min(left, block.length));
    straight.update(piece);
    zeros = algorithm.combine(
      zeros,
      piece.length === block.length ? blockDigest : algorithm.digest(piece),
      piece.length,
    );
  }
  expect(algorithm.combine(algorithm.digest(head), zeros, n)).toBe(straight.digest());
});

describe.each(algorithms)('$name', (algorithm) => {
  it('gives the published check value of "123456789" and of nothing', () => {
    const check = {
      crc32: 0xcbf43926n,
      crc32c: 0xe3069283n,
      crc64nvme: 0xae8b14860a799888n,
    }[algorithm.name];
    const bytes = algorithm.name === 'crc64nvme' ? 8 : 4;
    expect(algorithm.digest(Buffer.from('123456789'))).toBe(base64(check, bytes));
    expect(algorithm.digest(Buffer.alloc(0))).toBe(base64(0n, bytes));
    expect(algorithm.createHasher().digest()).toBe(base64(0n, bytes));
    expect(algorithm.digestLength).toBe(algorithm.digest(Buffer.alloc(0)).length);
  });

  it('matches the reference implementation on random buffers, whole and in random pieces', async () => {
    for (let round = 0; round < 60; round++) {
      const data = randomBytes(round < 40 ? randomInt(0, 300) : randomInt(300, 400_000));
      const expected = await reference(algorithm.name, data);
      expect(algorithm.digest(data), `${data.length} bytes whole`).toBe(expected);
      expect(inPieces(algorithm, data), `${data.length} bytes in pieces`).toBe(expected);
      expect(algorithm.isDigest(expected)).toBe(true);
    }
  });

  it('combines the digests of random splits into the digest of the whole (FULL_OBJECT)', async () => {
    for (let round = 0; round < 30; round++) {
      const data = randomBytes(randomInt(0, 200_000));
      const cuts = Array.from({ length: randomInt(0, 6) }, () => randomInt(0, data.length + 1)).sort((a, b) => a - b);
      const bounds = [0, ...cuts, data.length];
      let whole = algorithm.digest(Buffer.alloc(0));
      for (let i = 1; i < bounds.length; i++) {
        const piece = data.subarray(bounds[i - 1], bounds[i]);
        whole = algorithm.combine(whole, algorithm.digest(piece), piece.length);
      }
      expect(whole, `cut at ${cuts.join(',')} of ${data.length}`).toBe(await reference(algorithm.name, data));
    }
  });

  it('combines over lengths up to 2^52 consistently: (A·B)·C = A·(B·C) for random digests', () => {
    for (let round = 0; round < 20; round++) {
      const [a, b, c] = [randomBytes(9), randomBytes(9), randomBytes(9)].map((bytes) => algorithm.digest(bytes));
      const n1 = randomInt(2 ** 32, 2 ** 47) * randomInt(1, 32);
      const n2 = randomInt(0, 2 ** 47);
      const left = algorithm.combine(algorithm.combine(a as string, b as string, n1), c as string, n2);
      const right = algorithm.combine(a as string, algorithm.combine(b as string, c as string, n2), n1 + n2);
      expect(left, `lengths ${n1}, ${n2}`).toBe(right);
    }
  });

  it('refuses what is not one of its digests', () => {
    const digest = algorithm.digest(Buffer.from('x'));
    expect(algorithm.isDigest(`${digest}-2`)).toBe(false);
    expect(algorithm.isDigest(digest.slice(1))).toBe(false);
    expect(algorithm.isDigest(algorithm.name === 'crc64nvme' ? 'AAAAAA==' : 'AAAAAAAAAAA=')).toBe(false);
  });
});

it('looks algorithms up by config name, and nothing else', () => {
  expect(checksumAlgorithm('crc32c')?.header).toBe('x-amz-checksum-crc32c');
  expect(checksumAlgorithm('crc64nvme')?.s3Name).toBe('CRC64NVME');
  expect(checksumAlgorithm('crc64nvme')?.xmlElement).toBe('ChecksumCRC64NVME');
  expect(checksumAlgorithm('md5')).toBeUndefined();
  expect(checksumAlgorithm('toString')).toBeUndefined();
});
