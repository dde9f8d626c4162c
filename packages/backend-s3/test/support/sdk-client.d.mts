import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** The server facts an SDK client needs (an `S3TestServer` has them). */
export interface SdkServer {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A path-style SDK client for a test server, Swift-compatible checksums, Content-MD5 on DeleteObjects. */
export declare function createSdkClient(server: SdkServer, options?: S3ClientConfig): S3Client;

/** Adds Content-MD5 to DeleteObjects requests (Swift requires it; the SDK only sends CRC32). Returns `client`. */
export declare function addDeleteObjectsContentMd5<T extends S3Client>(client: T): T;
