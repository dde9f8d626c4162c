/**
 * CRC-32 (the zlib/S3 `CRC32` polynomial) of a concatenation from the CRCs of its pieces: crc(A·B) from crc(A),
 * crc(B) and |B|. A multipart upload's parts are checksummed in parallel, each from zero; the whole object's
 * checksum is then put together from them in part order without reading any byte twice.
 *
 * The math: appending |B| bytes multiplies the register by x^(8·|B|) modulo the polynomial, so
 * crc(A·B) = crc(A) · x^(8·|B|) mod P  xor  crc(B), in the reflected bit order CRC-32 uses (bit 31 is x^0).
 */

const POLY = 0xedb88320;
/** x^0 = 1 in the reflected representation. */
const ONE = 0x80000000;

/** a · b modulo P, both reflected. */
function multiply(a: number, b: number): number {
  let product = 0;
  let bit = ONE;
  let factor = b >>> 0;
  for (let i = 0; i < 32; i++) {
    if (a & bit) product ^= factor;
    bit >>>= 1;
    factor = factor & 1 ? (factor >>> 1) ^ POLY : factor >>> 1;
  }
  return product >>> 0;
}

/** POWERS[k] = x^(2^k) mod P: x^1, x^2, x^4, … (a cycle of 32 is enough for any length, as in zlib). */
const POWERS: number[] = (() => {
  const table = [ONE >>> 1];
  for (let k = 1; k < 32; k++) {
    const previous = table[k - 1] as number;
    table.push(multiply(previous, previous));
  }
  return table;
})();

/** x^(8·bytes) mod P. */
function shiftFor(bytes: number): number {
  let result = ONE;
  let k = 3; // 8 = 2^3: one byte is x^8
  let n = bytes;
  while (n > 0) {
    if (n % 2 === 1) result = multiply(POWERS[k % 32] as number, result);
    n = Math.floor(n / 2);
    k++;
  }
  return result;
}

/** crc32(A·B) from crc32(A), crc32(B) and B's length in bytes (any safe integer). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiply(shiftFor(lengthB), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
