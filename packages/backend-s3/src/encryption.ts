// Server-side encryption headers, per operation as the S3 API wants them: SSE-S3/SSE-KMS (`AES256`, `aws:kms`,
// `aws:kms:dsse`, key id, encryption context, bucket key) only where an object is created (PutObject,
// CreateMultipartUpload; UploadPart refuses them); SSE-C (a key the caller holds) on every request that reads or
// writes object bytes: PutObject, CreateMultipartUpload, UploadPart, GetObject, HeadObject.
//
// The SSE-C key is a secret: it lives in the closure returned here, never on the resolved config, and is only
// sent over https (or to a loopback address), since S3 would otherwise receive it in clear.
import { createHash } from 'node:crypto';
import { invalidConfig } from './config-error.js';

export type ServerSideEncryption = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

export interface EncryptionConfig {
  /** SSE-S3 (`AES256`) or SSE-KMS (`aws:kms`, `aws:kms:dsse`) for every object this client creates. */
  serverSideEncryption?: ServerSideEncryption;
  /** KMS key id or ARN (with `aws:kms*`). Default: the account's `aws/s3` key. */
  kmsKeyId?: string;
  /** KMS encryption context (with `aws:kms*`), sent as base64 JSON. */
  kmsContext?: Record<string, string>;
  /** Use an S3 Bucket Key (with `aws:kms`): fewer KMS calls, lower cost. */
  bucketKey?: boolean;
  /** SSE-C: a 256-bit key as 32 bytes or their base64. Every read must use the same key. */
  sseCustomerKey?: Uint8Array | string;
}

/** Non-secret facts about the encryption in use (on the resolved config, safe to log). */
export interface EncryptionSummary {
  serverSideEncryption?: ServerSideEncryption;
  kmsKeyId?: string;
  bucketKey?: boolean;
  customerKey: boolean;
}

const CREATES = new Set(['PutObject', 'CreateMultipartUpload']);
const CUSTOMER_KEY_OPERATIONS = new Set([
  'PutObject',
  'CreateMultipartUpload',
  'UploadPart',
  'GetObject',
  'HeadObject',
]);
const MODES = new Set<string>(['AES256', 'aws:kms', 'aws:kms:dsse']);
const PRINTABLE = /^[\x21-\x7e]+$/;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function customerKeyBytes(key: Uint8Array | string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (bytes.length !== 32 || (typeof key === 'string' && bytes.toString('base64') !== key.trim())) {
    throw invalidConfig('sseCustomerKey', 'must be 32 bytes (or their base64)');
  }
  return bytes;
}

/**
 * Validates the encryption options and returns the per-operation header function and a loggable summary.
 * Returns no function when no encryption is configured (the common case costs nothing per request).
 */
export function resolveEncryption(
  config: EncryptionConfig,
  endpoint: URL,
): { headersFor?: (operation: string) => Record<string, string> | undefined; summary: EncryptionSummary } {
  const { serverSideEncryption: mode, kmsKeyId, kmsContext, bucketKey, sseCustomerKey } = config;
  if (mode !== undefined && !MODES.has(mode)) {
    throw invalidConfig('serverSideEncryption', "must be 'AES256', 'aws:kms' or 'aws:kms:dsse'");
  }
  const kms = mode === 'aws:kms' || mode === 'aws:kms:dsse';
  if (kmsKeyId !== undefined && (!kms || typeof kmsKeyId !== 'string' || !PRINTABLE.test(kmsKeyId))) {
    throw invalidConfig('kmsKeyId', "needs serverSideEncryption 'aws:kms' and must be a key id or ARN");
  }
  if (kmsContext !== undefined && (!kms || kmsContext === null || typeof kmsContext !== 'object')) {
    throw invalidConfig('kmsContext', "needs serverSideEncryption 'aws:kms' and must be an object of strings");
  }
  if (kmsContext && Object.values(kmsContext).some((v) => typeof v !== 'string')) {
    throw invalidConfig('kmsContext', 'values must be strings');
  }
  if (bucketKey !== undefined && (typeof bucketKey !== 'boolean' || (bucketKey && !kms))) {
    throw invalidConfig('bucketKey', "must be a boolean, true only with serverSideEncryption 'aws:kms'");
  }
  const summary: EncryptionSummary = { customerKey: sseCustomerKey !== undefined };
  if (mode) summary.serverSideEncryption = mode;
  if (kmsKeyId) summary.kmsKeyId = kmsKeyId;
  if (bucketKey !== undefined) summary.bucketKey = bucketKey;

  const create: Record<string, string> = {};
  if (mode) create['x-amz-server-side-encryption'] = mode;
  if (kmsKeyId) create['x-amz-server-side-encryption-aws-kms-key-id'] = kmsKeyId;
  if (kmsContext) {
    create['x-amz-server-side-encryption-context'] = Buffer.from(JSON.stringify(kmsContext)).toString('base64');
  }
  if (bucketKey !== undefined) create['x-amz-server-side-encryption-bucket-key-enabled'] = String(bucketKey);

  let customer: Record<string, string> | undefined;
  if (sseCustomerKey !== undefined) {
    if (mode !== undefined) throw invalidConfig('sseCustomerKey', 'cannot be combined with serverSideEncryption');
    if (endpoint.protocol !== 'https:' && !isLoopback(endpoint.hostname)) {
      throw invalidConfig('sseCustomerKey', 'needs an https endpoint (the key travels with every request)');
    }
    const key = customerKeyBytes(sseCustomerKey);
    customer = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key.toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
    };
  }
  if (!mode && !customer) return { summary };
  const onCreate = { ...create, ...customer };
  return {
    summary,
    headersFor: (operation) => {
      if (CREATES.has(operation)) return onCreate;
      if (customer && CUSTOMER_KEY_OPERATIONS.has(operation)) return customer;
      return undefined;
    },
  };
}
