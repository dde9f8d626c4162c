import { AttError, meter, throwIfAborted } from '@att/store-core';
import type { BufferPool } from './buffer-pool.js';
import type { ResolvedConfig } from './config.js';
import { checkContentType } from './content-type.js';
import { metadataHeaders } from './metadata.js';
import { uploadMultipart } from './multipart.js';
import { objectHeaders } from './object-headers.js';
import { partSizeFor, partSizeSchedule, readParts, requiresUniformParts, sizeMismatch, sliceParts } from './parts.js';
import type { PutObjectOptions } from './put-options.js';
import { singlePut } from './single-put.js';
import type { S3Transport } from './transport.js';
import type { UploadResult, UploadTarget } from './upload-target.js';

/**
 * Chooses how to upload: one PUT when the size is known and fits in one part (streamed with its Content-Length,
 * or signed and retryable when the body is already a buffer), else multipart. An unknown length is read one part
 * ahead: if the stream ends within the first part, that part goes up as a single (retryable) PUT.
 */
export async function putObject(
  transport: S3Transport,
  config: ResolvedConfig,
  target: UploadTarget,
  body: AsyncIterable<Uint8Array> | Uint8Array | string,
  options: PutObjectOptions,
  pool: BufferPool,
): Promise<UploadResult> {
  const { size, signal } = options;
  throwIfAborted(signal, 'S3 upload');
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new AttError('INVALID_REQUEST', 'size must be a non-negative integer');
  }
  checkContentType(options.contentType);
  // Always a type: providers disagree on the default (Swift guesses from the extension, fauxqs fails without one).
  const headers: Record<string, string> = { 'content-type': options.contentType || 'application/octet-stream' };
  metadataHeaders(options.metadata, headers);
  objectHeaders(
    {
      cacheControl: options.cacheControl ?? config.cacheControl,
      acl: options.acl ?? config.acl,
      contentDisposition: options.contentDisposition,
    },
    headers,
  );
  const multipart = (parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, partSize: number, pooled = false) =>
    uploadMultipart(transport, target, parts, {
      headers,
      partSize,
      queueSize: config.queueSize,
      signal,
      onProgress: options.onProgress,
      recycle: pooled ? (part) => pool.give(part) : undefined,
    });

  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (size !== undefined && size !== bytes.length) throw sizeMismatch(size, bytes.length);
    const partSize = partSizeFor(config.partSize, bytes.length);
    if (bytes.length <= partSize) return singlePut(transport, target, bytes, headers, options);
    return multipart(sliceParts(bytes, partSize), partSize);
  }
  if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) {
    throw new AttError('INVALID_REQUEST', 'body must be an AsyncIterable<Uint8Array>, a Uint8Array or a string');
  }
  if (size !== undefined && size <= partSizeFor(config.partSize, size)) {
    // One streamed PUT: meter() enforces the length (a wrong Content-Length must never go out) and the signal.
    let sent = 0;
    const progress = options.onProgress;
    const onChunk = progress
      ? (bytes: number) => {
          sent += bytes;
          progress(sent);
        }
      : undefined;
    const stream = meter(body, { signal, expectedSize: size, onChunk });
    if (size === 0) {
      for await (const _ of stream); // SIZE_MISMATCH on any byte
      return singlePut(transport, target, Buffer.alloc(0), headers, options);
    }
    return singlePut(transport, target, stream, { ...headers, 'content-length': String(size) }, options, size);
  }
  const metered = meter(body, { signal, expectedSize: size });
  if (size !== undefined) {
    const partSize = partSizeFor(config.partSize, size);
    return multipart(
      readParts(metered, () => partSize, pool, signal),
      partSize,
      true,
    );
  }

  const state = { ended: false };
  const schedule = partSizeSchedule(config.partSize, requiresUniformParts(config.endpoint));
  const parts = readParts(metered, schedule, pool, signal, state);
  const first = await parts.next();
  if (first.done) return singlePut(transport, target, Buffer.alloc(0), headers, options);
  if (state.ended) {
    // The whole body fits in one part: one PUT of a buffer, signed and resendable.
    try {
      return await singlePut(transport, target, first.value, headers, options);
    } finally {
      pool.give(first.value);
    }
  }
  let handedOver = false;
  async function* all() {
    handedOver = true;
    yield first.value as Buffer;
    yield* parts;
  }
  try {
    return await multipart(all(), config.partSize, true);
  } finally {
    // A first part never handed to the upload (CreateMultipartUpload failed) goes back to the pool.
    if (!handedOver) {
      pool.give(first.value);
      void parts.return(undefined);
    }
  }
}
