/**
 * The checksum extension: `Upload-Checksum: sha1 <base64>` covers the bytes of one request. The digest is
 * computed as the bytes stream through, and checked by the backend's `verify` hook before the bytes count, so a
 * mismatch discards the whole request (answered 460) and the offset stays where it was.
 */
import { createHash, type Hash } from 'node:crypto';
import { AttError } from '@att/store-core';

const ALGORITHMS: Record<string, { name: string; bytes: number }> = { sha1: { name: 'sha1', bytes: 20 } };

export interface ChecksumCheck {
  /** Passes each chunk on, hashing it. */
  through(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array>;
  /** Rejects with CHECKSUM_MISMATCH unless the bytes seen match. */
  verify(): void;
}

export function parseChecksum(header: string | undefined): ChecksumCheck | undefined {
  if (header === undefined) return undefined;
  const [algorithm, encoded, extra] = header.trim().split(' ');
  const spec = algorithm ? ALGORITHMS[algorithm.toLowerCase()] : undefined;
  if (!spec) {
    throw new AttError('INVALID_REQUEST', `Upload-Checksum algorithm "${algorithm ?? ''}" is not supported (sha1 is)`);
  }
  const expected = encoded && extra === undefined ? Buffer.from(encoded, 'base64') : undefined;
  if (!expected || expected.length !== spec.bytes) {
    throw new AttError('INVALID_REQUEST', 'Upload-Checksum must be "<algorithm> <base64 digest>"');
  }
  const hash: Hash = createHash(spec.name);
  return {
    async *through(body) {
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
    },
    verify() {
      if (!hash.digest().equals(expected)) {
        throw new AttError('CHECKSUM_MISMATCH', 'the bytes do not match Upload-Checksum; they were discarded');
      }
    },
  };
}
