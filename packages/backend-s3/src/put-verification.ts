/**
 * The end-to-end check of a single PUT: S3 answers a PutObject with an ETag that is the MD5 of the bytes it stored
 * (not under SSE-KMS or SSE-C), so comparing it with the MD5 of the bytes we sent catches what corrupted them on the
 * way (a proxy, a NIC, a bug) when nothing else did — a streamed PUT carries no checksum of its own unless it goes
 * aws-chunked with a trailer, and a buffered PUT over https to a server that ignores CRCs carries none either.
 *
 * | The answer's ETag                                   | Outcome                                                  |
 * | --------------------------------------------------- | -------------------------------------------------------- |
 * | absent, `…-N`, SSE-KMS / SSE-C, or not 32 hex digits | not checked                                              |
 * | the MD5 of what we sent                              | success                                                  |
 * | another MD5, and the stored bytes read back differ   | the object is deleted, INTEGRITY_ERROR: a failed write   |
 * | (or cannot be read back)                             | (nothing left visible, the Store counts nothing)         |
 * | another MD5, but the stored bytes are ours           | success; this server's ETags are not MD5s (MinIO with    |
 * |                                                      | encryption, some gateways): not checked again per client |
 *
 * The read-back only happens on a mismatch, so a server whose ETags are not MD5s costs one GET per client, never a
 * false failure.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AttError } from '@att/store-core';
import { plainMd5Etag } from './checksum.js';
import type { S3Transport } from './transport.js';
import type { UploadTarget } from './upload-target.js';

/**
 * Throws INTEGRITY_ERROR (after deleting the object) when the PUT's answer says the server stored other bytes than
 * those whose MD5 is `sentMd5` (hex). Learns per client (transport.checksums) when ETags are no MD5s at all.
 */
export async function verifyStoredPut(
  transport: S3Transport,
  target: UploadTarget,
  sentMd5: string,
  answer: IncomingHttpHeaders,
): Promise<void> {
  const stated = plainMd5Etag(answer);
  if (stated === undefined || stated === sentMd5) return;
  const stored = await storedMd5(transport, target);
  if (stored === sentMd5) {
    transport.checksums.etagsAreMd5 = false;
    return;
  }
  let deleted = true;
  try {
    await transport.send(
      { operation: 'DeleteObject', key: target.key, method: 'DELETE', readText: true },
      target.encodedKey,
    );
  } catch {
    deleted = false; // an orphan the Store's reconcile or cleanup will find; the write fails either way
  }
  throw new AttError(
    'INTEGRITY_ERROR',
    `S3 PutObject "${target.key}": the server stored other bytes than were sent (ETag ${stated}, MD5 sent ${sentMd5}); ` +
      (deleted ? 'the object was deleted' : 'deleting it failed'),
    { details: { operation: 'PutObject', key: target.key, etag: stated, sentMd5, deleted } },
  );
}

/** The MD5 of the object as stored, or undefined when it cannot be read. */
async function storedMd5(transport: S3Transport, target: UploadTarget): Promise<string | undefined> {
  try {
    const response = await transport.send(
      { operation: 'GetObject', key: target.key, method: 'GET' },
      target.encodedKey,
    );
    const hash = createHash('md5');
    for await (const chunk of response.body) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}
