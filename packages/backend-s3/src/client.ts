import { encodeKey } from '@att/s3-sigv4';
import { AttError, type ByteRange, type GetResult, type ObjectInfo } from '@att/store-core';
import { BufferPool } from './buffer-pool.js';
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
import { checkStorableKey } from './keys.js';
import { listParts } from './list-parts.js';
import { type ListedObject, listObjects, listUploads, type PendingUpload } from './listing.js';
import {
  abortUpload,
  type CompletionChecksums,
  completeUpload,
  createUpload,
  startUpload,
  uploadPart,
} from './multipart.js';
import { objectHeaders } from './object-headers.js';
import { dateHeader, getObject, headObject } from './object-reads.js';
import { type PresignGetOptions, type PresignPutOptions, presignRequest } from './presign.js';
import { putObject } from './put.js';
import type { PutObjectOptions } from './put-options.js';
import { abortStaleUploads } from './stale-uploads.js';
import { S3Transport } from './transport.js';
import type { UploadTarget } from './upload-target.js';

export type { ListedObject, PendingUpload, PresignGetOptions, PresignPutOptions, PutObjectOptions };

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
  getObject(key: string, options: { range?: ByteRange } & Signal = {}): Promise<GetResult> {
    return getObject(this.#transport, this.#target(key), this.config.verifyDownloads, options);
  }

  /** Object info without downloading it; NOT_FOUND / ACCESS_DENIED by status even though HEAD has no body. */
  headObject(key: string, options: Signal = {}): Promise<ObjectInfo> {
    return headObject(this.#transport, this.#target(key), options.signal);
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
  abortIncompleteUploads(
    olderThan: Date | number,
    options: Signal & { keep?: (upload: PendingUpload) => boolean } = {},
  ): Promise<number> {
    return abortStaleUploads(this, olderThan, options);
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
    return presignRequest(this.#transport, this.#target(key), this.config.region, {
      method,
      expiresIn,
      query,
      headers,
    });
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
