/**
 * The direct-transfer capability: a backend that can hand out URLs the browser uses to move bytes straight to or
 * from the storage (S3 presigned requests), so the bytes never pass through the Node process. The server keeps
 * every decision: it picks the key, and the URL fixes the method, the length and the headers, so the storage
 * itself refuses any other request. A backend without this capability simply does not set `Backend.direct`.
 */

/** A request the browser may make until `expiresAt`, exactly as given: method, URL and these headers. */
export interface PresignedRequest {
  method: 'PUT' | 'GET';
  url: string;
  /** Headers the request must carry (they are signed); Content-Length is signed too but set by the browser. */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignPutOptions {
  /** Seconds the URL stays valid. */
  expiresIn: number;
  /** Exact body length: signed, so any other length is refused by the storage. */
  size: number;
  contentType: string;
  /** Object metadata (same rules as `Backend.put`), signed into the request. */
  metadata?: Record<string, string>;
  /** Content-Disposition stored with the object (as `PutOptions.contentDisposition`), signed into the request. */
  contentDisposition?: string;
}

export interface PresignGetOptions {
  expiresIn: number;
  /** The storage answers with these instead of the stored ones. */
  responseContentType?: string;
  responseContentDisposition?: string;
}

export interface UploadedPart {
  partNumber: number;
  size: number;
  etag: string;
}

/**
 * Presigned single and multipart transfers (S3's model: parts of at least `minPartSize` bytes except the last,
 * at most `maxParts` of them). Multipart uploads are created, listed, completed and aborted by the server with
 * its own credentials; only the part bodies go direct. An upload never completed is removed by
 * `cleanupIncomplete` like any other incomplete upload.
 */
export interface DirectTransfers {
  readonly minPartSize: number;
  readonly maxParts: number;
  presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest>;
  presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest>;
  /**
   * Starts a multipart upload whose object gets this content type, metadata and Content-Disposition; resolves to
   * its upload id.
   */
  createMultipart(
    key: string,
    options: { contentType: string; metadata?: Record<string, string>; contentDisposition?: string },
  ): Promise<string>;
  /** A URL for part `partNumber` of exactly `size` bytes. */
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    options: { expiresIn: number; size: number },
  ): Promise<PresignedRequest>;
  /** The parts uploaded so far, by part number; NOT_FOUND when the upload does not exist (any more). */
  listParts(key: string, uploadId: string): Promise<UploadedPart[]>;
  /** Publishes the object from these parts (in order); the object is then visible under `key`. */
  completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<void>;
  /** Idempotent: an upload already gone counts as aborted. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}
