// Integrity of object bytes, both ways: the config modes and download verification. Which checksum goes with which
// upload request is checksum-policy.ts (config `checksum`: `crc32` by default, `crc32c`, `crc64nvme`, `md5`,
// `none`; the measured costs are in the README). The CRC algorithms are a file each behind one shape
// (checksum-algorithm.ts); S3 verifies them on PutObject, on each part, and as a FULL_OBJECT checksum of a multipart
// upload (crc-combine.ts puts it together from the parts).
//
// Downloads of whole objects are verified as they stream, against the stored `x-amz-checksum-<crc>` when the
// server sends one
// (asked for with `x-amz-checksum-mode`; a multipart object's composite `…-N` value is not a checksum of the
// bytes and is skipped), and with `verifyDownloads: true` also against an ETag that is the plain MD5 of the bytes
// (single-part objects without SSE-KMS/SSE-C). The last chunk is held back until the check passes, so a mismatch
// always ends the stream early with INTEGRITY_ERROR: a consumer never sees a complete, wrong body.
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { AttError } from '@att/store-core';
import type { ChecksumAlgorithmName } from './checksum-algorithm.js';
import { CHECKSUM_ALGORITHMS } from './checksum-algorithms.js';

export type ChecksumMode = ChecksumAlgorithmName | 'md5' | 'none';
export const CHECKSUM_MODES: readonly ChecksumMode[] = ['crc32', 'crc32c', 'crc64nvme', 'md5', 'none'];

export function md5Base64(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

/** The MD5 (lower-case hex) an ETag states for the bytes, or undefined when it is no plain MD5 of them. */
export function plainMd5Etag(headers: IncomingHttpHeaders): string | undefined {
  const etag = headers.etag;
  const md5 = typeof etag === 'string' ? /^(?:W\/)?"?([0-9a-f]{32})"?$/i.exec(etag)?.[1] : undefined;
  const sse = headers['x-amz-server-side-encryption'];
  // With SSE-KMS (aws:kms, aws:kms:dsse) or SSE-C the ETag is not the MD5 of the plaintext.
  if (
    !md5 ||
    (typeof sse === 'string' && sse.startsWith('aws:kms')) ||
    headers['x-amz-server-side-encryption-customer-algorithm']
  ) {
    return undefined;
  }
  return md5.toLowerCase();
}

type Verifier = { update(chunk: Uint8Array): void; matches(): boolean; what: string };

/**
 * How the body of a whole-object GET can be checked, from its response headers; undefined when it cannot.
 * Without `etag`, only a stored CRC is used (the MD5 an ETag check needs costs several times more).
 */
export function downloadVerifier(headers: IncomingHttpHeaders, etag = true): Verifier | undefined {
  for (const algorithm of Object.values(CHECKSUM_ALGORITHMS)) {
    const stored = headers[algorithm.header];
    if (typeof stored !== 'string' || !algorithm.isDigest(stored)) continue;
    const hasher = algorithm.createHasher();
    return {
      what: algorithm.s3Name,
      update: (chunk) => hasher.update(chunk),
      matches: () => hasher.digest() === stored,
    };
  }
  if (!etag) return undefined;
  const md5 = plainMd5Etag(headers);
  if (!md5) return undefined;
  const hash: Hash = createHash('md5');
  return {
    what: 'MD5 (ETag)',
    update: (chunk) => {
      hash.update(chunk);
    },
    matches: () => hash.digest('hex') === md5,
  };
}

/** A pass-through that checks the whole body and holds the last chunk back until the check passes. */
export function verifyingStream(verifier: Verifier, context: { operation: string; key: string }): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      verifier.update(chunk);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      if (!verifier.matches()) {
        callback(
          new AttError(
            'INTEGRITY_ERROR',
            `S3 ${context.operation} "${context.key}": the body does not match its ${verifier.what} checksum`,
            { details: { operation: context.operation, key: context.key, checksum: verifier.what } },
          ),
        );
        return;
      }
      callback(null, held);
    },
  });
}
