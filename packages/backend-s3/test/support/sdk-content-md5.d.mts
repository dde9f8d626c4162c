import type { S3Client } from '@aws-sdk/client-s3';

/** Adds Content-MD5 to DeleteObjects requests (Swift requires it; the SDK only sends CRC32). Returns `client`. */
export declare function addDeleteObjectsContentMd5<T extends S3Client>(client: T): T;
