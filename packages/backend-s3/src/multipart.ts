import { AttError, isAttError } from '@att/store-core';
import { confirmWritten, isAmbiguous, multipartEtag } from './ambiguity.js';
import type { ChecksumAlgorithm } from './checksum-algorithm.js';
import { MAX_PARTS } from './config.js';
import { crc32 } from './crc32.js';
import { headerValue, parseErrorBody, s3ResponseError } from './errors.js';
import { abortOrphanedCreates } from './orphaned-uploads.js';
import { tooManyParts } from './parts.js';
import type { S3Transport } from './transport.js';
import type { UploadResult, UploadTarget } from './upload-target.js';
import { completeMultipartXml, parseXml, rootElement, text } from './xml.js';

export interface MultipartOptions {
  headers: Record<string, string>;
  queueSize: number;
  partSize: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
  /** Gets each part buffer back once no request uses it any more (see BufferPool). */
  recycle?: ((part: Uint8Array) => void) | undefined;
}

/**
 * Multipart upload of a part stream: create, up to `queueSize` UploadPart requests in flight (each part is a
 * buffer, so each is signed with its sha256 and retried on its own), complete. The next part is pulled (and its
 * buffer filled) only once fewer than queueSize are in flight, so an upload holds at most queueSize part buffers:
 * a source faster than the network keeps queueSize in flight all but the moment a part takes to fill. Any failure —
 * a part, the source stream, Complete — aborts the upload; if that abort fails too, both are reported.
 */
export async function uploadMultipart(
  transport: S3Transport,
  target: UploadTarget,
  parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: MultipartOptions,
): Promise<UploadResult> {
  const { uploadId, crc } = await startUpload(transport, target, options, transport.checksums.offersCrc);
  /** Per part (index = number - 1): its CRC digest and length, when the upload was declared with a CRC. */
  const partCrcs: PartChecksum[] = [];
  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const etags: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let uploaded = 0;
  const fail = (err: unknown) => {
    if (failure === undefined) failure = err;
    internal.abort(err);
  };
  try {
    let partNumber = 0;
    const source = Symbol.asyncIterator in parts ? parts[Symbol.asyncIterator]() : parts[Symbol.iterator]();
    try {
      for (;;) {
        while (inFlight.size >= options.queueSize && failure === undefined) await Promise.race(inFlight);
        if (failure !== undefined) break;
        const next = await source.next();
        if (next.done) break;
        const part = next.value;
        // Every part pulled goes back to its pool once nothing uses it any more: sent (or failed), or never sent.
        if (failure !== undefined) {
          options.recycle?.(part);
          break;
        }
        partNumber++;
        if (partNumber > MAX_PARTS) {
          options.recycle?.(part);
          throw tooManyParts(options.partSize);
        }
        const n = partNumber;
        let headers: Record<string, string> | undefined;
        if (crc) {
          const digest = crc.algorithm.digest(part);
          partCrcs[n - 1] = { digest, length: part.length };
          headers = { [crc.algorithm.header]: digest };
        }
        const task = uploadPart(transport, target, uploadId, n, part, signal, headers)
          .then((etag) => {
            etags[n - 1] = etag;
            uploaded += part.length;
            options.onProgress?.(uploaded);
          }, fail)
          .finally(() => options.recycle?.(part));
        const tracked = task.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
    } finally {
      // Stopping early (a failure, an abort) ends the source too, so it gives back a part it was filling.
      await source.return?.();
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    if (partNumber === 0) throw new AttError('BACKEND_ERROR', 'multipart upload started for an empty body');
    options.signal?.throwIfAborted();
    try {
      const done = await completeUpload(
        transport,
        target,
        uploadId,
        etags,
        options.signal,
        crc ? completionChecksums(partCrcs, crc) : undefined,
      );
      return { size: uploaded, ...done };
    } catch (err) {
      // The answer may be lost while the object exists (ambiguity.ts): the bucket decides.
      if (!isAmbiguous(err)) throw err;
      const intended = { size: uploaded, etag: multipartEtag(etags), parts: etags.length };
      const found = await confirmWritten(transport, target, intended);
      if (!found) throw err;
      return { size: uploaded, ...found };
    }
  } catch (err) {
    // Record the first failure before cancelling the other parts, so their "aborted" errors do not replace it.
    fail(err);
    await Promise.allSettled(inFlight);
    throw await abortAfterFailure(transport, target, uploadId, asAbortedIfSignalled(failure, options.signal));
  }
}

function asAbortedIfSignalled(err: unknown, signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted || isAttError(err, 'ABORTED')) return err;
  return new AttError('ABORTED', 'S3 upload was aborted', { cause: signal.reason ?? err });
}

/**
 * The Complete request's checksums: each part's (where the server confirmed the declaration), and the whole
 * object's put together from them in order (FULL_OBJECT).
 */
export function completionChecksums(
  parts: readonly PartChecksum[],
  declared: { fullObject: boolean; confirmed: boolean; algorithm: ChecksumAlgorithm },
): CompletionChecksums {
  const { algorithm } = declared;
  let whole = algorithm.digest(new Uint8Array(0));
  for (const part of parts) whole = algorithm.combine(whole, part.digest, part.length);
  return {
    algorithm,
    parts: declared.confirmed ? parts.map((part) => part.digest) : [],
    ...(declared.fullObject ? { whole } : {}),
  };
}

export interface PartChecksum {
  digest: string;
  length: number;
}

export interface CompletionChecksums {
  /** The CRC the upload was declared with (default CRC32). */
  algorithm?: ChecksumAlgorithm;
  /** Base64 CRC per part, in part order (empty: none listed). */
  parts: string[];
  /** Base64 CRC of the whole object (FULL_OBJECT uploads). */
  whole?: string;
}

export async function createUpload(
  transport: S3Transport,
  target: UploadTarget,
  options: Pick<MultipartOptions, 'headers' | 'signal'>,
): Promise<string> {
  return (await startUpload(transport, target, options, false)).uploadId;
}

/**
 * CreateMultipartUpload; with `offerCrc`, declared with the client's CRC (`CRC32`, …) and `FULL_OBJECT`. `crc` says what the server took, from
 * its answer: undefined when it did not echo the algorithm (it ignores checksums: parts go without), and
 * `fullObject` when it also echoed the type (else the parts' checksums are checked one by one, composite). A server
 * known to verify checksums before this request (`serverVerifiesChecksums: true`, or an earlier echo) is taken at its
 * word when it does not echo: the declaration stands, FULL_OBJECT included, but its completion names the whole
 * object's CRC only (`confirmed` false), not each part's: a server that did not confirm may not parse them (fauxqs
 * then reads no part at all).
 */
export async function startUpload(
  transport: S3Transport,
  target: UploadTarget,
  options: Pick<MultipartOptions, 'headers' | 'signal'>,
  offerCrc: boolean,
): Promise<{
  uploadId: string;
  crc: { fullObject: boolean; confirmed: boolean; algorithm: ChecksumAlgorithm } | undefined;
}> {
  const startedAt = Date.now();
  const known = transport.checksums.verifiesCrc === true;
  const offered = offerCrc ? transport.checksums.algorithm : undefined;
  const headers = offered
    ? { ...options.headers, 'x-amz-checksum-algorithm': offered.s3Name, 'x-amz-checksum-type': 'FULL_OBJECT' }
    : options.headers;
  const response = await transport.send(
    {
      operation: 'CreateMultipartUpload',
      key: target.key,
      method: 'POST',
      query: { uploads: '' },
      headers,
      signal: options.signal,
      readText: true,
    },
    target.encodedKey,
  );
  const root = rootElement(
    parseXml(response.text, 'CreateMultipartUpload'),
    'InitiateMultipartUploadResult',
    'CreateMultipartUpload',
  );
  const uploadId = text(root, 'UploadId');
  if (!uploadId) throw new AttError('BACKEND_ERROR', 'S3 CreateMultipartUpload: no UploadId in the response');
  if (response.attempts > 1) await abortOrphanedCreates(transport, target, uploadId, startedAt);
  const algorithm = headerValue(response.headers, 'x-amz-checksum-algorithm')?.toUpperCase();
  const type = headerValue(response.headers, 'x-amz-checksum-type')?.toUpperCase();
  const taken = offered && (algorithm === offered.s3Name || (known && algorithm === undefined));
  const fullObject = type === 'FULL_OBJECT' || (known && type === undefined);
  const crc = taken ? { fullObject, confirmed: algorithm === offered.s3Name, algorithm: offered } : undefined;
  return { uploadId, crc };
}

export async function uploadPart(
  transport: S3Transport,
  target: UploadTarget,
  uploadId: string,
  partNumber: number,
  body: Uint8Array,
  signal: AbortSignal | undefined,
  headers?: Record<string, string>,
): Promise<string> {
  const response = await transport.send(
    {
      operation: 'UploadPart',
      key: target.key,
      method: 'PUT',
      query: { partNumber: String(partNumber), uploadId },
      ...(headers ? { headers } : {}),
      body,
      signal,
      readText: true,
    },
    target.encodedKey,
  );
  const etag = headerValue(response.headers, 'etag');
  if (!etag) throw new AttError('BACKEND_ERROR', `S3 UploadPart ${partNumber}: the response has no ETag`);
  return etag;
}

export async function completeUpload(
  transport: S3Transport,
  target: UploadTarget,
  uploadId: string,
  etags: string[],
  signal: AbortSignal | undefined,
  checksums?: CompletionChecksums,
): Promise<{ etag: string | undefined; date: string | undefined }> {
  const context = { operation: 'CompleteMultipartUpload', key: target.key };
  const algorithm = checksums?.algorithm ?? crc32;
  let etag: string | undefined;
  const response = await transport.send(
    {
      ...context,
      method: 'POST',
      query: { uploadId },
      headers: {
        'content-type': 'application/xml',
        ...(checksums?.whole ? { [algorithm.header]: checksums.whole, 'x-amz-checksum-type': 'FULL_OBJECT' } : {}),
      },
      body: completeMultipartXml(
        etags.map((etag, i) => ({ partNumber: i + 1, etag, checksum: checksums?.parts[i] })),
        algorithm.xmlElement,
      ),
      signal,
      readText: true,
      // S3 may answer 200 and still fail (the error arrives in the body after a keep-alive wait).
      // The document is parsed once, here; the ETag of the attempt that passes is the one returned.
      validate: (body, headers) => {
        if (parseErrorBody(body).code) throw s3ResponseError(context, 200, headers, body);
        if (!body.trim()) return;
        const root = rootElement(parseXml(body, context.operation), 'CompleteMultipartUploadResult', context.operation);
        etag = text(root, 'ETag');
      },
    },
    target.encodedKey,
  );
  return { etag, date: headerValue(response.headers, 'date') };
}

/** Aborts one multipart upload; a missing upload (already aborted or completed) counts as done. */
export async function abortUpload(
  transport: S3Transport,
  target: UploadTarget,
  uploadId: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await transport.send(
      {
        operation: 'AbortMultipartUpload',
        key: target.key,
        method: 'DELETE',
        query: { uploadId },
        signal,
        readText: true,
      },
      target.encodedKey,
    );
  } catch (err) {
    if (!isAttError(err, 'NOT_FOUND')) throw err;
  }
}

/** Aborts after a failure and returns the error to throw: the original, or both when the abort failed too. */
async function abortAfterFailure(
  transport: S3Transport,
  target: UploadTarget,
  uploadId: string,
  failure: unknown,
): Promise<unknown> {
  try {
    // No caller signal here: an aborted request must still clean up after itself.
    await abortUpload(transport, target, uploadId);
    return failure;
  } catch (abortError) {
    const original = isAttError(failure) ? failure : undefined;
    const reason = failure instanceof Error ? failure.message : String(failure);
    const abortReason = abortError instanceof Error ? abortError.message : String(abortError);
    return new AttError(
      original?.code ?? 'BACKEND_ERROR',
      `${reason}; aborting multipart upload ${uploadId} failed too (${abortReason}), it stays pending until cleanup`,
      {
        cause: new AggregateError([failure, abortError], 'upload failed and its abort failed'),
        details: { ...original?.details, uploadId, abortFailed: true },
        ...(original ? { status: original.status, retryable: original.retryable } : {}),
      },
    );
  }
}
