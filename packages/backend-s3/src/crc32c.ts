/**
 * CRC32C (Castagnoli), as S3's `CRC32C` checksum. Node has no native one, so this is table-driven TypeScript:
 * slicing-by-8 (eight 256-entry tables, eight bytes per step) on 32-bit integers, which V8 keeps unboxed.
 */
import { crcAlgorithm } from './checksum-algorithm.js';

const POLY = 0x82f63b78; // reflected 0x1EDC6F41

/** TABLE[k * 256 + n]: the CRC of byte n followed by k zero bytes. */
const TABLE = (() => {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLY : crc >>> 1;
    table[n] = crc;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const previous = table[(k - 1) * 256 + n] as number;
      table[k * 256 + n] = (previous >>> 8) ^ (table[previous & 0xff] as number);
    }
  }
  return table;
})();

/** Advances the (unfinalized) register over `data`. */
export function crc32cUpdate(register: number, data: Uint8Array): number {
  const t = TABLE;
  let crc = register | 0;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  while (i < end8) {
    const lo = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    crc =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
    i += 8;
  }
  for (; i < data.length; i++) crc = (crc >>> 8) ^ t[(crc ^ data[i]!) & 0xff]!;
  return crc;
}

export const crc32c = crcAlgorithm({
  name: 'crc32c',
  s3Name: 'CRC32C',
  width: 32,
  poly: BigInt(POLY),
  createRegister() {
    let register = ~0;
    return {
      update: (chunk) => {
        register = crc32cUpdate(register, chunk);
      },
      value: () => BigInt(~register >>> 0),
    };
  },
});
