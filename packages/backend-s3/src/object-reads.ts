/**
 * GetObject and HeadObject: the request, the answer turned into ObjectInfo (size, date, type, ETag, metadata),
 * ranges both ways, and whole-object downloads piped through the checksum verifier.
 */
import { pipeline, type Readable } from 'node:stream';
import { AttError, type ByteRange, type GetResult, isAttError, type ObjectInfo } from '@att/store-core';
import { downloadVerifier, verifyingStream } from './checksum.js';
import type { ResolvedConfig } from './config.js';
import { headerValue, mapBodyErrors } from './errors.js';
import { metadataFromHeaders } from './metadata.js';
import type { S3Transport } from './transport.js';
import type { UploadTarget } from './upload-target.js';

/** Streams an object (or a range of it: `end` inclusive, a negative `start` means the last -start bytes). */
export async function getObject(
  transport: S3Transport,
  target: UploadTarget,
  verifyDownloads: ResolvedConfig['verifyDownloads'],
  options: { range?: ByteRange; signal?: AbortSignal | undefined },
): Promise<GetResult> {
  const { key } = target;
  const headers: Record<string, string> = {};
  if (options.range) headers.range = rangeHeader(options.range);
  if (verifyDownloads && transport.checksums.asksForChecksums) headers['x-amz-checksum-mode'] = 'ENABLED';
  const response = await transport.send(
    { operation: 'GetObject', key, method: 'GET', headers, signal: options.signal },
    target.encodedKey,
  );
  mapBodyErrors(response.body as never, { operation: 'GetObject', key }, options.signal);
  const info = objectInfo(key, response.headers);
  if (response.statusCode !== 206 && !options.range && verifyDownloads) {
    const verifier = downloadVerifier(response.headers, verifyDownloads === true);
    if (verifier) return { info, body: verified(response.body, verifier, key) };
  }
  if (response.statusCode !== 206) {
    // A server that ignores Range answers 200 with everything; an empty object has no byte to satisfy a range.
    if (options.range && info.size === 0) {
      response.body.destroy();
      throw new AttError('RANGE_NOT_SATISFIABLE', `S3 GetObject "${key}": range of an empty object`, {
        details: { operation: 'GetObject', key },
      });
    }
    return options.range
      ? { info, body: response.body, range: { start: 0, end: Math.max(0, info.size - 1) } }
      : { info, body: response.body };
  }
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(response.headers, 'content-range') ?? '');
  if (!match) {
    response.body.destroy();
    throw new AttError('BACKEND_ERROR', `S3 GetObject "${key}": 206 without a valid Content-Range`);
  }
  if (match[3] !== '*') info.size = Number(match[3]);
  return { info, body: response.body, range: { start: Number(match[1]), end: Number(match[2]) } };
}

/** Object info without downloading it; NOT_FOUND / ACCESS_DENIED by status even though HEAD has no body. */
export async function headObject(
  transport: S3Transport,
  target: UploadTarget,
  signal: AbortSignal | undefined,
): Promise<ObjectInfo> {
  let response: Awaited<ReturnType<S3Transport['send']>>;
  try {
    response = await transport.send(
      { operation: 'HeadObject', key: target.key, method: 'HEAD', signal },
      target.encodedKey,
    );
  } catch (err) {
    throw headDenied(err);
  }
  response.body.resume();
  return objectInfo(target.key, response.headers);
}

/** The body piped through the verifier; errors and destroy travel both ways, so nothing leaks or hangs. */
function verified(body: Readable, verifier: NonNullable<ReturnType<typeof downloadVerifier>>, key: string): Readable {
  const checked = verifyingStream(verifier, { operation: 'GetObject', key });
  pipeline(body, checked, () => undefined);
  return checked;
}

/**
 * A HEAD has no body to say why it was refused, and S3 answers 403 instead of 404 for a missing key unless the
 * credentials may list the bucket: so the most likely fix is named (the Store's pre-write HEAD of a new id hits
 * exactly this with a policy that grants ListBucket only under a prefix condition some servers do not apply).
 */
function headDenied(err: unknown): unknown {
  if (!isAttError(err, 'ACCESS_DENIED') || err.details?.httpStatus !== 403) return err;
  return new AttError(
    'ACCESS_DENIED',
    `${err.message}; a HEAD of a missing key answers 403 unless the credentials have s3:ListBucket on the bucket ` +
      '(for this prefix): add it to the IAM policy (see the README), or check the keys',
    { cause: err, details: { ...err.details, missingPermission: 's3:ListBucket' } },
  );
}

/** A response's Date or Last-Modified header; now when it is missing or unreadable. */
export function dateHeader(value: string | undefined): Date {
  const parsed = value ? new Date(value) : new Date();
  return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
}

function rangeHeader(range: ByteRange): string {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || (end !== undefined && (!Number.isSafeInteger(end) || end < start || start < 0))) {
    throw new AttError('INVALID_REQUEST', 'range must be { start, end? } with integers, 0 ≤ start ≤ end');
  }
  if (start < 0) return `bytes=${start}`; // suffix: the last -start bytes
  return end === undefined ? `bytes=${start}-` : `bytes=${start}-${end}`;
}

function objectInfo(key: string, headers: Record<string, string | string[] | undefined>): ObjectInfo {
  const info: ObjectInfo = {
    key,
    size: Number(headerValue(headers, 'content-length') ?? 0),
    lastModified: dateHeader(headerValue(headers, 'last-modified')),
  };
  const contentType = headerValue(headers, 'content-type');
  if (contentType) info.contentType = contentType;
  const etag = headerValue(headers, 'etag');
  if (etag) info.etag = etag;
  const metadata = metadataFromHeaders(headers);
  if (metadata) info.metadata = metadata;
  return info;
}
