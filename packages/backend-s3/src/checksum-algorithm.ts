/**
 * The shape every upload/download checksum algorithm has (CRC32, CRC32C, CRC64NVME — S3's "flexible checksums"),
 * so that PUTs, parts, FULL_OBJECT completions, aws-chunked trailers, tus and direct uploads and download checks
 * all handle them alike. Digests travel as S3 writes them: base64 of the big-endian CRC. The algorithms are one
 * file each (crc32.ts, crc32c.ts, crc64nvme.ts); checksum-algorithms.ts looks them up by name.
 */
import { type CrcCombine, crcCombiner } from './crc-combine.js';

export type ChecksumAlgorithmName = 'crc32' | 'crc32c' | 'crc64nvme';

/** An incremental checksum of a byte stream. */
export interface ChecksumHasher {
  update(chunk: Uint8Array): void;
  /** Base64 of the big-endian CRC of everything so far (does not end the hasher). */
  digest(): string;
}

export interface ChecksumAlgorithm {
  /** The config name, also the header's suffix: `crc32`. */
  readonly name: ChecksumAlgorithmName;
  /** As S3 spells it in `x-amz-checksum-algorithm` / `x-amz-sdk-checksum-algorithm`: `CRC32`. */
  readonly s3Name: 'CRC32' | 'CRC32C' | 'CRC64NVME';
  /** The header carrying a digest: `x-amz-checksum-crc32`. */
  readonly header: `x-amz-checksum-${ChecksumAlgorithmName}`;
  /** The element of a part in CompleteMultipartUpload: `ChecksumCRC32`. */
  readonly xmlElement: `Checksum${'CRC32' | 'CRC32C' | 'CRC64NVME'}`;
  /** Characters in a digest (8 for 32-bit CRCs, 12 for 64-bit). */
  readonly digestLength: number;
  createHasher(): ChecksumHasher;
  /** The digest of one buffer. */
  digest(bytes: Uint8Array): string;
  /** The digest of A·B from A's and B's digests and B's length in bytes (FULL_OBJECT multipart checksums). */
  combine(first: string, second: string, secondLength: number): string;
  /** Whether `value` is a well-formed digest of this algorithm (a multipart `…-N` composite is not). */
  isDigest(value: string): boolean;
}

/** A CRC's finalized value, as the algorithm file computes it. */
export interface CrcRegister {
  update(chunk: Uint8Array): void;
  /** The finalized CRC (after the final xor) as an unsigned integer. */
  value(): bigint;
}

/** The common half of each CRC algorithm: digest encoding, combine, validation. */
export function crcAlgorithm(spec: {
  name: ChecksumAlgorithmName;
  s3Name: ChecksumAlgorithm['s3Name'];
  width: 32 | 64;
  /** The reflected polynomial (for combine). */
  poly: bigint;
  createRegister(): CrcRegister;
}): ChecksumAlgorithm {
  const bytes = spec.width / 8;
  const toBase64 = (value: bigint): string => {
    const out = Buffer.alloc(bytes);
    let rest = value;
    for (let i = bytes - 1; i >= 0; i--, rest >>= 8n) out[i] = Number(rest & 0xffn);
    return out.toString('base64');
  };
  const combine: CrcCombine = crcCombiner(spec.width, spec.poly);
  const digestLength = Math.ceil(bytes / 3) * 4;
  const padding = (3 - (bytes % 3)) % 3;
  const pattern = new RegExp(`^[A-Za-z0-9+/]{${digestLength - padding}}={${padding}}$`);
  const fromBase64 = (digest: string): bigint => {
    const raw = Buffer.from(digest, 'base64');
    let value = 0n;
    for (const byte of raw) value = (value << 8n) | BigInt(byte);
    return value;
  };
  return {
    name: spec.name,
    s3Name: spec.s3Name,
    header: `x-amz-checksum-${spec.name}`,
    xmlElement: `Checksum${spec.s3Name}`,
    digestLength,
    createHasher() {
      const register = spec.createRegister();
      return {
        update: (chunk) => register.update(chunk),
        digest: () => toBase64(register.value()),
      };
    },
    digest(data) {
      const register = spec.createRegister();
      register.update(data);
      return toBase64(register.value());
    },
    combine: (first, second, secondLength) => toBase64(combine(fromBase64(first), fromBase64(second), secondLength)),
    isDigest: (value) => pattern.test(value),
  };
}
