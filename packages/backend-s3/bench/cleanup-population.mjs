// The cleanup bench's objects: k000000, k000001, … of four interleaved kinds, so every listing page holds each.
// Half expired by the store's default expiry, a quarter with a later per-write expiry (the listing's age says
// expired, the metadata says keep), a quarter young (written after the others, by enough to be on either side
// of the pass' clock even on servers whose timestamps are whole seconds).
const KINDS = ['expired', 'expired', 'perWrite', 'young'];

export function classOf(index) {
  return KINDS[index % KINDS.length];
}
