// Integrity of object bytes, both ways.
//
// Opt-in (config `checksum`; the measured CPU cost is in the README). With it, uploads: every buffered PutObject
// and UploadPart carries a checksum the server verifies before storing:
// `Content-MD5` (mode `md5`; every S3-compatible store checks it, and Object Lock buckets require one) or, for a
// single PutObject, `x-amz-checksum-crc32` (mode `crc32`; AWS, R2, MinIO — B2 refuses the header, Swift and fauxqs
// ignore it), with parts falling back to Content-MD5 (a per-part CRC would have to be declared when the upload
// is created). CRC32 is zlib's native one: several times cheaper than MD5 (README, "Integrity").
//
// Downloads of whole objects are verified as they stream, against `x-amz-checksum-crc32` when the server sends it
// (asked for with `x-amz-checksum-mode` in mode `crc32`), else against an ETag that is the plain MD5 of the bytes
// (single-part objects without SSE-KMS/SSE-C). The last chunk is held back until the check passes, so a mismatch
// always ends the stream early with INTEGRITY_ERROR: a consumer never sees a complete, wrong body.
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { AttError } from '@att/store-core';

export type ChecksumMode = 'md5' | 'crc32' | 'none';
export const CHECKSUM_MODES: readonly ChecksumMode[] = ['md5', 'crc32', 'none'];

export function crc32Base64(crc: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc >>> 0);
  return out.toString('base64');
}

/** The upload checksum header for a buffered body of `operation`, or undefined. */
export function uploadChecksumHeader(
  mode: ChecksumMode,
  operation: string,
  body: Uint8Array,
): Record<string, string> | undefined {
  if (mode === 'none' || (operation !== 'PutObject' && operation !== 'UploadPart')) return undefined;
  if (mode === 'crc32' && operation === 'PutObject') return { 'x-amz-checksum-crc32': crc32Base64(zlib.crc32(body)) };
  return { 'content-md5': createHash('md5').update(body).digest('base64') };
}

type Verifier = { update(chunk: Uint8Array): void; matches(): boolean; what: string };

/** How the body of a whole-object GET can be checked, from its response headers; undefined when it cannot. */
export function downloadVerifier(headers: IncomingHttpHeaders): Verifier | undefined {
  const crc = headers['x-amz-checksum-crc32'];
  if (typeof crc === 'string' && /^[A-Za-z0-9+/]{6}==$/.test(crc)) {
    let value = 0;
    return {
      what: 'CRC32',
      update: (chunk) => {
        value = zlib.crc32(chunk, value);
      },
      matches: () => crc32Base64(value) === crc,
    };
  }
  const etag = typeof headers.etag === 'string' ? /^(?:W\/)?"?([0-9a-f]{32})"?$/i.exec(headers.etag)?.[1] : undefined;
  const sse = headers['x-amz-server-side-encryption'];
  // With SSE-KMS or SSE-C the ETag is not the MD5 of the plaintext.
  if (
    !etag ||
    (typeof sse === 'string' && sse.startsWith('aws:kms')) ||
    headers['x-amz-server-side-encryption-customer-algorithm']
  ) {
    return undefined;
  }
  const hash: Hash = createHash('md5');
  return {
    what: 'MD5 (ETag)',
    update: (chunk) => {
      hash.update(chunk);
    },
    matches: () => hash.digest('hex') === etag.toLowerCase(),
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
