/**
 * Deciding, against the bucket, a write whose answer never came. A client that reports failure for an object that
 * exists lets the Store's size drift below the bucket's (and the object live on as an orphan); one that reports
 * success for an object that does not exist loses data. So when the answer is ambiguous, HEAD the key and compare.
 *
 * | What happened                                                          | HEAD shows                             | Outcome                                  |
 * | ---------------------------------------------------------------------- | -------------------------------------- | ---------------------------------------- |
 * | Complete: connection lost / timeout / 5xx after the last attempt,      | our size and our ETag (MD5 of the      | success with the object's ETag and date  |
 * | or NoSuchUpload (a retried Complete whose first attempt had committed) | part MD5s, `-N`)                       |                                          |
 * | same                                                                   | nothing, or another object             | failure; the upload is aborted (nothing  |
 * |                                                                        |                                        | new is left; NoSuchUpload = already gone)|
 * | streamed single PUT failed after its last byte was handed over         | our size and the MD5 of what we sent   | success                                  |
 * | (connection lost, timeout, 5xx other than a throttle, abort)           |                                        |                                          |
 * | same                                                                   | anything else                          | failure: S3 publishes a PUT whole or not |
 * |                                                                        |                                        | at all, so there is no partial object    |
 * | failure before the last byte; a throttle (SlowDown); any other 4xx     | not asked                              | failure as it is                         |
 * | the HEAD itself fails (403 without s3:ListBucket, network down)        | —                                      | the original failure: we cannot tell     |
 *
 * An ETag that is not an MD5 (SSE-KMS, some gateways) cannot be recomputed; then size and the `-N` part count for
 * multipart must agree, and a single PUT is not claimed (its size alone could be an older object's).
 */
import { createHash } from 'node:crypto';
import { type AttError, isAttError } from '@att/store-core';
import { headerValue } from './errors.js';
import type { S3Transport } from './transport.js';

/** What we meant to store under a key. */
export interface IntendedObject {
  size: number;
  /** The ETag the object must have (unquoted, lower case), when it can be computed. */
  etag: string | undefined;
  /** For multipart: the `-N` suffix every S3-style multipart ETag carries. */
  parts?: number;
}

export interface ConfirmedObject {
  etag: string | undefined;
  date: string | undefined;
}

/** S3 codes by which the server says it did not do the work (throttling): a clear answer, not an ambiguous one. */
const REJECTED_S3_CODES = new Set(['SlowDown', 'ServiceUnavailable', 'RequestTimeout']);

/**
 * Whether a failed write may nevertheless have been committed: no answer at all (connection lost, timeout, abort),
 * a 5xx that is not a throttle (InternalError, or a gateway's 502/504 without an S3 document), or NoSuchUpload.
 */
export function isAmbiguous(err: unknown): err is AttError {
  if (!isAttError(err)) return false;
  const s3Code = err.details?.s3Code as string | undefined;
  if (err.code === 'TIMEOUT' || err.code === 'ABORTED') return true;
  if (err.code === 'BACKEND_UNAVAILABLE') return s3Code === undefined || !REJECTED_S3_CODES.has(s3Code);
  return err.code === 'NOT_FOUND' && s3Code === 'NoSuchUpload';
}

const MD5_ETAG = /^"?([0-9a-f]{32})"?$/i;

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-N`; undefined if a part's is no MD5. */
export function multipartEtag(partEtags: readonly string[]): string | undefined {
  const hash = createHash('md5');
  for (const etag of partEtags) {
    const match = MD5_ETAG.exec(etag);
    if (!match) return undefined;
    hash.update(Buffer.from(match[1] as string, 'hex'));
  }
  return `${hash.digest('hex')}-${partEtags.length}`;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^(W\/)?"|"$/g, '').toLowerCase();
}

/**
 * HEADs `encodedKey` (no caller signal: the question must be answered even after an abort) and returns the object's
 * ETag and date if it is the object meant, else undefined. Never throws: a HEAD that fails means "cannot tell".
 */
export async function confirmWritten(
  transport: S3Transport,
  context: { key: string; encodedKey: string },
  intended: IntendedObject,
): Promise<ConfirmedObject | undefined> {
  let headers: Record<string, string | string[] | undefined>;
  try {
    const response = await transport.send(
      { operation: 'HeadObject', key: context.key, method: 'HEAD' },
      context.encodedKey,
    );
    response.body.resume();
    headers = response.headers;
  } catch {
    return undefined;
  }
  const size = Number(headerValue(headers, 'content-length'));
  const etag = unquote(headerValue(headers, 'etag'));
  if (size !== intended.size || etag === undefined) return undefined;
  if (intended.etag !== undefined) {
    if (etag !== intended.etag) return undefined;
  } else if (intended.parts === undefined || !etag.endsWith(`-${intended.parts}`)) {
    return undefined;
  }
  return {
    etag: headerValue(headers, 'etag'),
    date: headerValue(headers, 'last-modified') ?? headerValue(headers, 'date'),
  };
}
