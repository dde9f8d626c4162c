/** The checksum algorithms by name (each in a file of its own; the shape is checksum-algorithm.ts). */
import type { ChecksumAlgorithm, ChecksumAlgorithmName } from './checksum-algorithm.js';
import { crc32 } from './crc32.js';
import { crc32c } from './crc32c.js';
import { crc64nvme } from './crc64nvme.js';

export const CHECKSUM_ALGORITHMS: Readonly<Record<ChecksumAlgorithmName, ChecksumAlgorithm>> = {
  crc32,
  crc32c,
  crc64nvme,
};

/** The algorithm of a config mode (`crc32`, `crc32c`, `crc64nvme`); undefined for `md5` and `none`. */
export function checksumAlgorithm(name: string): ChecksumAlgorithm | undefined {
  return Object.hasOwn(CHECKSUM_ALGORITHMS, name) ? CHECKSUM_ALGORITHMS[name as ChecksumAlgorithmName] : undefined;
}
