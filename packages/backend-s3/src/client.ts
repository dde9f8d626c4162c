import { pipeline, type Readable } from 'node:stream';
import { encodeKey, presignUrl } from '@att/s3-sigv4';
import { AttError, type ByteRange, type GetResult, isAttError, type ObjectInfo } from '@att/store-core';
import { BufferPool } from './buffer-pool.js';
import { downloadVerifier, verifyingStream } from './checksum.js';
import {
  credentialsProvider,
  installRedaction,
  type ResolvedConfig,
  redactConfig,
  resolveConfig,
  type S3ClientConfig,
} from './config.js';
import { invalidConfig } from './config-error.js';
import { checkContentType } from './content-type.js';
import { deleteKeys } from './delete.js';
import { type EncryptionSummary, resolveEncryption } from './encryption.js';
import { headerValue, mapBodyErrors } from './errors.js';
import { checkStorableKey } from './keys.js';
import { listParts } from './list-parts.js';
import { type ListedObject, listObjects, listUploads, type PendingUpload } from './listing.js';
import { metadataFromHeaders } from './metadata.js';
import {
  abortUpload,
  type CompletionChecksums,
  completeUpload,
  createUpload,
  startUpload,
  uploadPart,
} from './multipart.js';
import { objectHeaders } from './object-headers.js';
import { putObject } from './put.js';
import type { PutObjectOptions } from './put-options.js';
import { S3Transport, signingOptions } from './transport.js';
import type { UploadTarget } from './upload-target.js';

export type { ListedObject, PendingUpload, PutObjectOptions };

export interface PresignGetOptions {
  /** Seconds, 1..604800. */
  expiresIn: number;
  /** Makes S3 answer with this Content-Disposition (e.g. `attachment; filename="a.txt"`). */
  responseContentDisposition?: string;
}

export interface PresignPutOptions {
  expiresIn: number;
  /** Signed into the URL: the uploader must send exactly this Content-Type. */
  contentType?: string;
}

type Signal = { signal?: AbortSignal };

export interface ListObjectsOptions extends Signal {
  /** Only keys starting with this (relative to the client's prefix). */
  prefix?: string;
  /** Only keys after this one (relative), in S3's byte order. */
  startAfter?: string;
  /** Keys per ListObjectsV2 page, 1..1000 (server default 1000). */
  pageSize?: number;
}

/**
 * A small S3 client fixed to one bucket and one prefix: every key it takes and returns is relative to the prefix,
 * and nothing outside the prefix is ever listed, deleted or aborted. No AWS SDK; requests are signed with
 * @att/s3-sigv4 and sent with node:http.
 */
export class S3Client {
  readonly config: ResolvedConfig;
  readonly #transport: S3Transport;
  /** Part buffers of all this client's uploads, within config.maxBufferedBytes. */
  readonly #buffers: BufferPool;
  readonly #root: string;
  readonly #encryption: EncryptionSummary;
  /** The config with the secret redacted (installed in the constructor; also used by toString and inspect). */
  declare toJSON: () => Record<string, unknown>;

  constructor(config: S3ClientConfig) {
    this.config = resolveConfig(config);
    const encryption = resolveEncryption(config, this.config.endpoint);
    for (const field of ['cacheControl', 'acl'] as const) {
      if (config[field] === undefined) continue;
      try {
        objectHeaders({ [field]: config[field] }, {});
      } catch (err) {
        throw invalidConfig(field, (err as Error).message.replace(/^\S+ /, ''));
      }
      this.config[field] = config[field] as never;
    }
    this.#encryption = encryption.summary;
    this.#transport = new S3Transport(
      this.config,
      credentialsProvider(config, this.config.region),
      config.agent,
      encryption.headersFor,
    );
    this.#buffers = new BufferPool(this.config.maxBufferedBytes);
    this.#root = this.config.prefix ? `${this.config.prefix}/` : '';
    installRedaction(
      this,
      () => redactConfig({ ...this.config, endpoint: this.config.endpoint.href, encryption: this.#encryption }),
      'S3Client',
    );
  }

  /** Bytes of part buffers held now (in use or kept for reuse) and their budget (`maxBufferedBytes`). */
  get bufferStats(): { bufferedBytes: number; bufferBudget: number } {
    return { bufferedBytes: this.#buffers.allocated, bufferBudget: this.#buffers.budget };
  }

  /** The part buffers every upload of this client shares (resumable appends take theirs here too). */
  get partBuffers(): BufferPool {
    return this.#buffers;
  }

  /** The full object key of `key` (the prefix joined with `/`). */
  objectKey(key: string): string {
    return this.#root + key;
  }

  #target(key: string): UploadTarget {
    if (typeof key !== 'string' || key.length === 0)
      throw new AttError('INVALID_ID', 'S3 key must be a non-empty string');
    const fullKey = this.objectKey(key);
    let encodedKey: string;
    try {
      encodedKey = encodeKey(fullKey);
    } catch {
      throw new AttError('INVALID_ID', 'S3 key is not valid UTF-8 (lone surrogate)');
    }
    return { key, fullKey, encodedKey };
  }

  /**
   * Uploads `body`. A buffer or string, or a stream whose `size` is known and ≤ partSize, goes up in one PUT; an
   * unknown or larger size goes multipart in uniform parts. A declared `size` the body does not match fails with
   * SIZE_MISMATCH and leaves nothing behind.
   */
  async putObject(
    key: string,
    body: AsyncIterable<Uint8Array> | Uint8Array | string,
    options: PutObjectOptions = {},
  ): Promise<ObjectInfo> {
    const target = this.#target(key);
    checkStorableKey(key, target.fullKey);
    const result = await putObject(this.#transport, this.config, target, body, options, this.#buffers);
    const info: ObjectInfo = { key, size: result.size, lastModified: dateHeader(result.date) };
    if (result.etag) info.etag = result.etag;
    if (options.contentType) info.contentType = options.contentType;
    if (options.metadata && Object.keys(options.metadata).length > 0) info.metadata = { ...options.metadata };
    return info;
  }

  /**
   * Whether this bucket's server verifies the `x-amz-checksum-*` of `checksum`, as learned from its answers (checksum-policy.ts):
   * undefined until an upload showed it. When false, buffered uploads are signed with their SHA-256 instead.
   */
  get checksumsVerified(): boolean | undefined {
    return this.#transport.checksums.verifiesCrc;
  }

  /** Streams an object (or a range of it: `end` inclusive, a negative `start` means the last -start bytes). */
  async getObject(key: string, options: { range?: ByteRange } & Signal = {}): Promise<GetResult> {
    const target = this.#target(key);
    const headers: Record<string, string> = {};
    if (options.range) headers.range = rangeHeader(options.range);
    if (this.config.verifyDownloads && this.#transport.checksums.asksForChecksums) {
      headers['x-amz-checksum-mode'] = 'ENABLED';
    }
    const response = await this.#transport.send(
      { operation: 'GetObject', key, method: 'GET', headers, signal: options.signal },
      target.encodedKey,
    );
    mapBodyErrors(response.body as never, { operation: 'GetObject', key }, options.signal);
    const info = objectInfo(key, response.headers);
    if (response.statusCode !== 206 && !options.range && this.config.verifyDownloads) {
      const verifier = downloadVerifier(response.headers, this.config.verifyDownloads === true);
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
  async headObject(key: string, options: Signal = {}): Promise<ObjectInfo> {
    const target = this.#target(key);
    let response: Awaited<ReturnType<S3Transport['send']>>;
    try {
      response = await this.#transport.send(
        { operation: 'HeadObject', key, method: 'HEAD', signal: options.signal },
        target.encodedKey,
      );
    } catch (err) {
      throw headDenied(err);
    }
    response.body.resume();
    return objectInfo(key, response.headers);
  }

  /** Deletes keys in batches of 1000 (missing keys are fine); per-key failures are thrown together at the end. */
  async deleteObjects(keys: readonly string[], options: Signal = {}): Promise<void> {
    const fullKeys = keys.map((key) => this.#target(key).fullKey);
    await deleteKeys(this.#transport, fullKeys, this.#root, options.signal);
  }

  /** Objects under the prefix (plus `prefix`), streamed page by page; keys relative to the client's prefix. */
  listObjects(options: ListObjectsOptions = {}): AsyncGenerator<ListedObject> {
    return listObjects(this.#transport, this.#scope(options), options.prefix ?? '', options.startAfter);
  }

  /** Pending multipart uploads under the prefix (plus `prefix`). */
  listMultipartUploads(options: { prefix?: string; pageSize?: number } & Signal = {}): AsyncGenerator<PendingUpload> {
    return listUploads(this.#transport, this.#scope(options), options.prefix ?? '');
  }

  async abortMultipartUpload(key: string, uploadId: string, options: Signal = {}): Promise<void> {
    await abortUpload(this.#transport, this.#target(key), uploadId, options.signal);
  }

  /**
   * Starts a multipart upload (content type and `x-amz-meta-*` in `headers`) declaring no checksum, so parts may
   * come from anywhere (presigned, from a browser); resolves to its UploadId.
   */
  createMultipartUpload(key: string, headers: Record<string, string>, options: Signal = {}): Promise<string> {
    return createUpload(this.#transport, this.#target(key), { headers, signal: options.signal });
  }

  /**
   * Starts a multipart upload declaring this client's upload checksum where it offers one (checksum-policy.ts).
   * `crc` is what the server took: when set, every part must carry its `x-amz-checksum-crc32` (uploadPart's
   * `headers`) and the completion the parts' checksums (and with `fullObject`, the whole object's).
   */
  createChecksummedMultipartUpload(key: string, headers: Record<string, string>, options: Signal = {}) {
    const offer = this.#transport.checksums.offersCrc;
    return startUpload(this.#transport, this.#target(key), { headers, signal: options.signal }, offer);
  }

  /** Uploads one part (a buffer: signed and retryable) with extra `headers` (a checksum); resolves to its ETag. */
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    options: Signal & { headers?: Record<string, string> } = {},
  ) {
    return uploadPart(this.#transport, this.#target(key), uploadId, partNumber, body, options.signal, options.headers);
  }

  /** Completes a multipart upload from the ETags of parts 1..n, in order (and their checksums, if declared). */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    etags: string[],
    options: Signal & { checksums?: CompletionChecksums } = {},
  ) {
    const target = this.#target(key);
    return completeUpload(this.#transport, target, uploadId, etags, options.signal, options.checksums);
  }

  /**
   * Aborts every multipart upload under the prefix started before `olderThan` (a Date, or an age in ms) and
   * returns how many it aborted. Uploads without a readable start time are left alone. All are tried; failures
   * are then thrown together (BACKEND_ERROR with an AggregateError cause), never swallowed.
   */
  async abortIncompleteUploads(
    olderThan: Date | number,
    options: Signal & { keep?: (upload: PendingUpload) => boolean } = {},
  ): Promise<number> {
    const cutoff = typeof olderThan === 'number' ? Date.now() - olderThan : olderThan.getTime();
    if (Number.isNaN(cutoff)) throw new AttError('INVALID_REQUEST', 'olderThan must be a valid Date or age in ms');
    let aborted = 0;
    const failures: unknown[] = [];
    for await (const upload of this.listMultipartUploads(options)) {
      if (upload.initiated === undefined || upload.initiated.getTime() >= cutoff) continue;
      if (options.keep?.(upload)) continue;
      try {
        await this.abortMultipartUpload(upload.key, upload.uploadId, options);
        aborted++;
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) {
      throw new AttError('BACKEND_ERROR', `S3: ${failures.length} stale multipart upload(s) could not be aborted`, {
        cause: new AggregateError(failures, 'AbortMultipartUpload failed'),
        details: { aborted, failed: failures.length },
      });
    }
    return aborted;
  }

  /** A URL anyone can GET the object with until it expires. */
  async presignGetUrl(key: string, options: PresignGetOptions): Promise<string> {
    const query = options.responseContentDisposition
      ? { 'response-content-disposition': options.responseContentDisposition }
      : undefined;
    return this.#presign('GET', key, options.expiresIn, query, undefined);
  }

  /** A URL anyone can PUT the object to until it expires (with the signed Content-Type, if one was given). */
  async presignPutUrl(key: string, options: PresignPutOptions): Promise<string> {
    checkContentType(options.contentType);
    const headers = options.contentType ? { 'content-type': options.contentType } : undefined;
    return this.#presign('PUT', key, options.expiresIn, undefined, headers);
  }

  /** The parts of multipart upload `uploadId` received so far (ListParts, every page). */
  listParts(key: string, uploadId: string, options: Signal = {}) {
    return listParts(this.#transport, this.#target(key), uploadId, options.signal);
  }

  /**
   * A presigned URL for any object request: `query` and `headers` are signed with it (the caller must send
   * exactly these headers; a signed `content-length` fixes the body's length).
   */
  presign(
    method: 'GET' | 'PUT',
    key: string,
    options: { expiresIn: number; query?: Record<string, string>; headers?: Record<string, string> },
  ): Promise<string> {
    return this.#presign(method, key, options.expiresIn, options.query, options.headers);
  }

  async #presign(
    method: string,
    key: string,
    expiresIn: number,
    query: Record<string, string> | undefined,
    headers: Record<string, string> | undefined,
  ): Promise<string> {
    const { origin, path } = this.#transport.address(this.#target(key).encodedKey);
    const creds = await this.#transport.credentials();
    const search = query ? `?${new URLSearchParams(query).toString().replace(/\+/g, '%20')}` : '';
    try {
      return presignUrl(
        { method, url: origin + path + search, ...(headers ? { headers } : {}) },
        { ...signingOptions(creds, this.config.region), expiresIn, date: this.#transport.now() },
      );
    } catch (err) {
      throw new AttError('INVALID_REQUEST', `S3 presign: ${(err as Error).message}`);
    }
  }

  /** Closes the connection pool this client created (an agent passed in stays open). */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  #scope(options: { signal?: AbortSignal; pageSize?: number }) {
    const { pageSize } = options;
    if (pageSize !== undefined && (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000)) {
      throw new AttError('INVALID_REQUEST', 'pageSize must be an integer in 1..1000');
    }
    return { root: this.#root, signal: options.signal, pageSize };
  }
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

function dateHeader(value: string | undefined): Date {
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
