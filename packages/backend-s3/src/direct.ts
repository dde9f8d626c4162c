/**
 * The direct-transfer capability on S3 (store-core's `DirectTransfers`): presigned PUT, GET and UploadPart URLs.
 * Everything the server decides is in the signature — the key, `content-length`, `content-type`,
 * `content-disposition` and each `x-amz-meta-*` header — so S3 refuses a body of another length or a request with
 * other headers. Multipart uploads are created, listed, completed and aborted with the server's own credentials.
 */
import { AttError, checkObjectMetadata, type DirectTransfers, type PresignedRequest } from '@att/store-core';
import type { S3Client } from './client.js';
import { MAX_PARTS, MIN_PART_SIZE } from './config.js';
import { storedObjectHeaders } from './object-headers.js';

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new AttError('INVALID_REQUEST', `${what} must be an integer ≥ 0`);
}

/** What the object is stored with: the headers a Store write sends (object-headers.ts). */
function objectHeadersFor(
  client: S3Client,
  options: { contentType: string; metadata?: Record<string, string> | undefined; contentDisposition?: string },
) {
  checkObjectMetadata(options.metadata);
  return storedObjectHeaders(client.config, options);
}

export function s3DirectTransfers(client: S3Client): DirectTransfers {
  const presigned = async (
    method: 'GET' | 'PUT',
    key: string,
    expiresIn: number,
    headers: Record<string, string>,
    query?: Record<string, string>,
  ): Promise<PresignedRequest> => {
    const issued = Date.now();
    const url = await client.presign(method, key, { expiresIn, headers, ...(query ? { query } : {}) });
    // The browser sets Content-Length itself (it may not send it as a header of its own): signed, not handed out.
    const { 'content-length': _length, ...toSend } = headers;
    return { method, url, headers: toSend, expiresAt: new Date(issued + expiresIn * 1000) };
  };

  return {
    minPartSize: MIN_PART_SIZE,
    maxParts: MAX_PARTS,
    presignPut(key, options) {
      checkSize(options.size, 'size');
      const headers = objectHeadersFor(client, options);
      headers['content-length'] = String(options.size);
      return presigned('PUT', key, options.expiresIn, headers);
    },
    presignGet(key, options) {
      const query: Record<string, string> = {};
      if (options.responseContentType) query['response-content-type'] = options.responseContentType;
      if (options.responseContentDisposition) {
        query['response-content-disposition'] = options.responseContentDisposition;
      }
      return presigned('GET', key, options.expiresIn, {}, query);
    },
    createMultipart(key, options) {
      return client.createMultipartUpload(key, objectHeadersFor(client, options));
    },
    presignPart(key, uploadId, partNumber, options) {
      checkSize(options.size, 'part size');
      if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
        throw new AttError('INVALID_REQUEST', `part number must be an integer in 1..${MAX_PARTS}`);
      }
      const headers = { 'content-length': String(options.size) };
      return presigned('PUT', key, options.expiresIn, headers, { partNumber: String(partNumber), uploadId });
    },
    listParts(key, uploadId) {
      return client.listParts(key, uploadId);
    },
    async completeMultipart(key, uploadId, parts) {
      // S3 wants parts 1..n in order; the caller checked that they are exactly that.
      await client.completeMultipartUpload(
        key,
        uploadId,
        parts.map((part) => part.etag),
      );
    },
    abortMultipart(key, uploadId) {
      return client.abortMultipartUpload(key, uploadId);
    },
  };
}
