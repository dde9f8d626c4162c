/**
 * CRC32 (ISO-HDLC, the zlib/gzip polynomial), as S3's `CRC32` checksum. zlib's native implementation does the work
 * (Node ≥ 20.15): the cheapest of the three CRCs here, which is why it is the default (README "Integrity").
 */
import zlib from 'node:zlib';
import { crcAlgorithm } from './checksum-algorithm.js';

export const crc32 = crcAlgorithm({
  name: 'crc32',
  s3Name: 'CRC32',
  width: 32,
  poly: 0xedb88320n,
  createRegister() {
    let value = 0;
    return {
      update: (chunk) => {
        value = zlib.crc32(chunk, value);
      },
      value: () => BigInt(value >>> 0),
    };
  },
});
