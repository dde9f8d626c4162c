// Types shared by the globalSetup (which provides the servers) and the tests (which inject them).
// No runtime imports here: the globalSetup runs in vitest's main process.

/** What a server does differently from AWS S3; tests gate on these so none passes for the wrong reason. */
export interface S3Capabilities {
  /** Rejects a wrong secret, a tampered header, a body that does not match the signed sha256, bad presigned URLs. */
  verifiesSignatures: boolean;
  /** ListMultipartUploads returns pending uploads (fauxqs always answers with an empty list). */
  listsMultipartUploads: boolean;
  /** Accepts `aws-chunked` streaming uploads (Swift answers 501). */
  awsChunked: boolean;
  /** DeleteObjects fails without Content-MD5 (Swift; AWS wants a checksum too). */
  deleteObjectsNeedsContentMd5: boolean;
  /** Answers `<bucket>.localhost:PORT` (resolve `*.localhost` to 127.0.0.1 inside the client: no DNS for it here). */
  virtualHosted: boolean;
  /** Accepts SSE-S3/SSE-KMS headers on uploads (Swift answers 501 NotImplemented; fauxqs accepts, ignores them). */
  acceptsServerSideEncryption: boolean;
  /** Stores Cache-Control and Content-Disposition with the object (fauxqs drops them). */
  storesObjectHeaders: boolean;
  /** LastModified/Initiated are rounded to whole seconds (Swift): a zero-grace age test must wait > 1 s. */
  wholeSecondTimestamps: boolean;
}

export interface S3TestServer {
  name: 'swift' | 'fauxqs';
  /** http://127.0.0.1:PORT, path-style. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  capabilities: S3Capabilities;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Servers: S3TestServer[];
  }
}
