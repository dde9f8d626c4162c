/**
 * The multipart side of a resumable upload: how big its parts are, when an append's last bytes may go up as a part
 * of their own, how the multipart upload is started (with the object's headers and the client's checksum offer),
 * and the checksum each part and the completion carry. Part checksums are kept in the upload's state, beside their
 * ETags, rather than recovered from ListParts at completion: the state is read by every append anyway and is the
 * commit point (a part whose state write was lost is uploaded again, with its new checksum), it survives a move to
 * another instance, and ListParts costs a request per 1,000 parts, is missing on some servers (fauxqs) and returns
 * checksums only where the server verifies them.
 */

import { AttError } from '@att/store-core';
import type { ChecksumAlgorithm } from './checksum-algorithm.js';
import { checksumAlgorithm } from './checksum-algorithms.js';
import type { S3Client } from './client.js';
import { MAX_PARTS, MIB, MIN_PART_SIZE } from './config.js';
import { type CompletionChecksums, completionChecksums } from './multipart.js';
import { storedObjectHeaders } from './object-headers.js';
import { totalSize, type UploadedPart, type UploadState } from './resumable-state.js';

/**
 * Whether `bytes` at the end of an append may go up as a part shorter than `partSize` (S3 takes parts of any size
 * from 5 MiB): only with a known length, and only while the bytes still to come fit in the parts left at
 * `partSize`, so that 10,000 parts still hold the whole upload.
 */
export function fitsAsPart(state: UploadState, bytes: number, partSize: number): boolean {
  if (bytes < MIN_PART_SIZE || state.length === undefined) return false;
  const done = totalSize(state.parts) + bytes;
  const partsLeft = MAX_PARTS - state.parts.length - 1;
  return state.length - done <= partsLeft * partSize;
}

/** Parts for the bytes still to come: the base size, grown so that what is left fits in the parts left. */
export function choosePartSize(base: number, length: number | undefined, done: number, partsDone: number): number {
  if (length === undefined) return base;
  const needed = Math.ceil((length - done) / Math.max(1, MAX_PARTS - partsDone));
  return Math.max(base, Math.ceil(needed / MIB) * MIB);
}

/**
 * Creates the multipart upload of `state` with the headers the published object keeps (type, metadata,
 * disposition, the client's defaults) and the client's checksum offer; resolves to what the state must record.
 */
export async function startMultipart(
  client: S3Client,
  state: UploadState,
): Promise<Required<Pick<UploadState, 'uploadId'>> & Pick<UploadState, 'checksum'>> {
  const headers = storedObjectHeaders(client.config, state);
  const { uploadId, crc } = await client.createChecksummedMultipartUpload(state.key, headers);
  if (!crc) return { uploadId };
  return {
    uploadId,
    checksum: { algorithm: crc.algorithm.name, fullObject: crc.fullObject, confirmed: crc.confirmed },
  };
}

/** Uploads part `number` of `state`'s upload, with its checksum when the upload declared one. */
export async function sendPart(
  client: S3Client,
  state: UploadState,
  number: number,
  bytes: Uint8Array,
  signal?: AbortSignal,
): Promise<UploadedPart> {
  const algorithm = declaredAlgorithm(state);
  const checksum = algorithm?.digest(bytes);
  const etag = await client.uploadPart(state.key, state.uploadId as string, number, bytes, {
    ...(signal ? { signal } : {}),
    ...(algorithm && checksum ? { headers: { [algorithm.header]: checksum } } : {}),
  });
  return checksum ? { etag, size: bytes.length, checksum } : { etag, size: bytes.length };
}

/** What CompleteMultipartUpload carries for these parts: each one's checksum and, FULL_OBJECT, the whole one's. */
export function completionOf(state: UploadState, parts: readonly UploadedPart[]): CompletionChecksums | undefined {
  if (!state.checksum || parts.some((part) => part.checksum === undefined)) return undefined;
  const digests = parts.map((part) => ({ digest: part.checksum as string, length: part.size }));
  return completionChecksums(digests, { ...state.checksum, algorithm: declaredAlgorithm(state) as ChecksumAlgorithm });
}

/** The checksum algorithm `state`'s upload was declared with; undefined when none. */
function declaredAlgorithm(state: UploadState): ChecksumAlgorithm | undefined {
  if (!state.checksum) return undefined;
  const algorithm = checksumAlgorithm(state.checksum.algorithm);
  if (!algorithm) {
    throw new AttError(
      'BACKEND_ERROR',
      `S3 resumable upload: unknown checksum "${state.checksum.algorithm}" in its state`,
    );
  }
  return algorithm;
}
