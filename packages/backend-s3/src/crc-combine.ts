/**
 * A reflected CRC of a concatenation from the CRCs of its pieces: crc(A·B) from crc(A), crc(B) and |B|. A
 * multipart upload's parts are checksummed in parallel, each from zero; the whole object's FULL_OBJECT checksum is
 * then put together from them in part order without reading any byte twice. One implementation for every width
 * and polynomial (CRC32, CRC32C, CRC64NVME): all three start from all ones and end xored with all ones, which is
 * what makes the zlib-style combine below exact.
 *
 * The math: appending |B| bytes multiplies the register by x^(8·|B|) modulo the polynomial P, so
 * crc(A·B) = crc(A) · x^(8·|B|) mod P  xor  crc(B), in the reflected bit order (the top bit is x^0). BigInt keeps
 * it one code path for 32 and 64 bits; it runs once per part (tens of microseconds), never per byte.
 */

export type CrcCombine = (crcA: bigint, crcB: bigint, lengthB: number) => bigint;

/** The combine function of the reflected CRC of `width` bits with reflected polynomial `poly`. */
export function crcCombiner(width: 32 | 64, poly: bigint): CrcCombine {
  const one = 1n << BigInt(width - 1); // x^0
  const multiply = (a: bigint, b: bigint): bigint => {
    let product = 0n;
    let bit = one;
    let factor = b;
    for (let i = 0; i < width; i++) {
      if (a & bit) product ^= factor;
      bit >>= 1n;
      factor = factor & 1n ? (factor >> 1n) ^ poly : factor >> 1n;
    }
    return product;
  };
  // powers[k] = x^(2^k) mod P. Not cycled as zlib does for CRC32 (that relies on its polynomial's factors): a
  // safe-integer length needs k ≤ 3 + 53, so 64 entries cover every length.
  const powers: bigint[] = [one >> 1n];
  for (let k = 1; k < 64; k++) {
    const previous = powers[k - 1] as bigint;
    powers.push(multiply(previous, previous));
  }
  /** x^(8·bytes) mod P. */
  const shiftFor = (bytes: number): bigint => {
    let result = one;
    let k = 3; // one byte is x^8 = x^(2^3)
    for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
      if (n % 2 === 1) result = multiply(powers[k] as bigint, result);
    }
    return result;
  };
  return (crcA, crcB, lengthB) => multiply(shiftFor(lengthB), crcA) ^ crcB;
}
