/**
 * CRC64NVME (the NVMe CRC-64, S3's `CRC64NVME` checksum) in table-driven TypeScript: slicing-by-8 with the 64-bit
 * register and tables held as two 32-bit halves, so the hot loop runs on unboxed integers (BigInt is ~50× slower
 * per operation and is only used for the finished value).
 */
import { crcAlgorithm } from './checksum-algorithm.js';

// The reflected polynomial 0x9A6C9329AC4BC9B5 (normal form 0xAD93D23594C93659), as halves.
const POLY_HI = 0x9a6c9329 | 0;
const POLY_LO = 0xac4bc9b5 | 0;

/** LO/HI[k * 256 + n]: the halves of the CRC of byte n followed by k zero bytes. */
const [LO, HI] = (() => {
  const lo = new Int32Array(8 * 256);
  const hi = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = (l >>> 1) | (h << 31);
      h >>>= 1;
      if (carry) {
        l ^= POLY_LO;
        h ^= POLY_HI;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const l = lo[(k - 1) * 256 + n]!;
      const h = hi[(k - 1) * 256 + n]!;
      lo[k * 256 + n] = ((l >>> 8) | (h << 24)) ^ lo[l & 0xff]!;
      hi[k * 256 + n] = (h >>> 8) ^ hi[l & 0xff]!;
    }
  }
  return [lo, hi];
})();

/** The unfinalized register as halves. */
export interface Crc64Register {
  lo: number;
  hi: number;
}

/** Advances `register` over `data` in place. */
export function crc64nvmeUpdate(register: Crc64Register, data: Uint8Array): void {
  const tl = LO;
  const th = HI;
  let l = register.lo;
  let h = register.hi;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  while (i < end8) {
    const a = l ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const b = h ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
    const i7 = 1792 + (a & 0xff);
    const i6 = 1536 + ((a >>> 8) & 0xff);
    const i5 = 1280 + ((a >>> 16) & 0xff);
    const i4 = 1024 + (a >>> 24);
    const i3 = 768 + (b & 0xff);
    const i2 = 512 + ((b >>> 8) & 0xff);
    const i1 = 256 + ((b >>> 16) & 0xff);
    const i0 = b >>> 24;
    l = tl[i7]! ^ tl[i6]! ^ tl[i5]! ^ tl[i4]! ^ tl[i3]! ^ tl[i2]! ^ tl[i1]! ^ tl[i0]!;
    h = th[i7]! ^ th[i6]! ^ th[i5]! ^ th[i4]! ^ th[i3]! ^ th[i2]! ^ th[i1]! ^ th[i0]!;
    i += 8;
  }
  for (; i < data.length; i++) {
    const index = (l ^ data[i]!) & 0xff;
    l = ((l >>> 8) | (h << 24)) ^ tl[index]!;
    h = (h >>> 8) ^ th[index]!;
  }
  register.lo = l;
  register.hi = h;
}

export const crc64nvme = crcAlgorithm({
  name: 'crc64nvme',
  s3Name: 'CRC64NVME',
  width: 64,
  poly: (BigInt(POLY_HI >>> 0) << 32n) | BigInt(POLY_LO >>> 0),
  createRegister() {
    const register: Crc64Register = { lo: ~0, hi: ~0 };
    return {
      update: (chunk) => crc64nvmeUpdate(register, chunk),
      value: () => (BigInt(~register.hi >>> 0) << 32n) | BigInt(~register.lo >>> 0),
    };
  },
});
