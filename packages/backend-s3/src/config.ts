import type { Agent } from 'node:http';
import { inspect } from 'node:util';
import { AttError } from '@att/store-core';
import { CHECKSUM_MODES, type ChecksumMode } from './checksum.js';
import { invalidConfig } from './config-error.js';
import { createCachedCredentials } from './credentials/cache.js';
import { createDefaultCredentials } from './credentials/chain.js';
import { endpointFromEnvironment, regionFromEnvironment } from './credentials/environment.js';
import { type AwsCredentials, checkedCredentials } from './credentials/types.js';
import type { EncryptionConfig } from './encryption.js';
import type { CannedAcl } from './object-headers.js';

export const MIB = 1024 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_SIZE = 5 * MIB;
/** S3's ceiling on one part. */
export const MAX_PART_SIZE = 5 * 1024 * MIB;
/** S3's ceiling on parts per multipart upload. */
export const MAX_PARTS = 10_000;

/** Keys as the AWS SDK shapes them; `expiration` marks temporary ones, which are refreshed before it. */
export type S3Credentials = AwsCredentials;

/**
 * Returns current credentials (any `@aws-sdk/credential-providers` function fits). Answers with an `expiration`
 * are cached until five minutes before it; answers without one are asked for again at every request.
 */
export type S3CredentialsProvider = () => Promise<S3Credentials>;

export interface S3ClientConfig extends EncryptionConfig {
  /**
   * `http(s)://host[:port][/path]`. Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `endpoint_url`,
   * else `https://s3.<region>.amazonaws.com`.
   */
  endpoint?: string;
  /** Signing region (`us-east-1`, `auto` for R2). Default: AWS_REGION, else the AWS profile's `region`. */
  region?: string;
  bucket: string;
  /** Key prefix that scopes every operation (no leading/trailing `/`). Keys in results are relative to it. */
  prefix?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /**
   * Credentials as an object, or a provider function (rotating credentials); used instead of the keys above.
   * With neither, the AWS default chain is used: environment, shared files (AWS_PROFILE), web identity (EKS),
   * container endpoint (ECS/EKS Pod Identity), EC2 instance metadata.
   */
  credentials?: S3CredentialsProvider | S3Credentials;
  /** Default: path-style with a custom endpoint, virtual-hosted on AWS. */
  forcePathStyle?: boolean;
  /** `Cache-Control` stored with every object this client uploads (a put's own `cacheControl` wins). */
  cacheControl?: string;
  /** Canned ACL for every object this client uploads (a put's own `acl` wins). */
  acl?: CannedAcl;
  /**
   * When S3 says the bucket is in another region (301, 307, 400 AuthorizationHeaderMalformed), re-sign there and
   * retry (switching the default AWS endpoint too), and keep that region. Default false: the error names the region.
   */
  followRegionRedirects?: boolean;
  /**
   * Upload checksum the server verifies. `crc32` (default): x-amz-checksum-crc32 on buffered PUTs, on every part
   * and as the FULL_OBJECT checksum of multipart uploads where the server verifies it (learned from its answers),
   * and as the aws-chunked trailer of streamed PUTs there; elsewhere buffered bodies are signed with their SHA-256
   * instead (checksum-policy.ts). `crc32c`, `crc64nvme`: the same with that algorithm. `md5`: Content-MD5 on
   * buffered PUTs and parts (every provider; ~2× the CPU). `none`: only what `signPayload` gives. Measured costs:
   * README, "Integrity".
   */
  checksum?: ChecksumMode;
  /**
   * Whether the server verifies `x-amz-checksum-*` (AWS, MinIO, R2: true; Swift, B2, Ceph: false). Default:
   * learned from the first answers (a PutObject's echo, a CreateMultipartUpload's algorithm).
   */
  serverVerifiesChecksums?: boolean;
  /**
   * Verify whole-object downloads (INTEGRITY_ERROR on mismatch). Default: against a stored full-object CRC when
   * the server returns one (off with `checksum: 'none'`); `true` also checks MD5 ETags of single-part objects.
   */
  verifyDownloads?: boolean;
  /** Multipart part size in bytes, ≥ 5 MiB. Default 8 MiB. */
  partSize?: number;
  /**
   * Bytes of part buffers all uploads of this client may hold together; an upload that finds the budget spent waits
   * (and stops reading its body) until a buffer comes back. Default 256 MiB, at least 5 MiB.
   */
  maxBufferedBytes?: number;
  /** Parts uploaded in parallel per upload. Default 4. */
  queueSize?: number;
  /** Attempts per resendable request (1 = no retries). Default 4. */
  maxAttempts?: number;
  /** Milliseconds without progress (connect, response headers, body chunks) before TIMEOUT. Default 30 000. */
  timeout?: number;
  /** First backoff step in ms (full jitter, doubling). Default 100. */
  retryBaseDelay?: number;
  /** Cap on one backoff sleep, Retry-After included, in ms. Default 5 000. */
  retryMaxDelay?: number;
  /**
   * Sign the sha256 of buffered bodies (parts, small puts) instead of sending UNSIGNED-PAYLOAD. Default: true for
   * http endpoints (nothing else protects the bytes), false for https (TLS does; hashing halves Swift's upload rate).
   */
  signPayload?: boolean;
  /**
   * A node:http `Agent` (an `https.Agent` for https endpoints) to send requests through: proxies, socket limits,
   * custom TLS. The client does not destroy an agent it did not create. Default: its own keep-alive agent.
   */
  agent?: Agent;
}

/** The validated config the client runs on. Credentials live in a closure, never on this object. */
export interface ResolvedConfig {
  endpoint: URL;
  /** Endpoint path without a trailing slash ('' for none). */
  basePath: string;
  region: string;
  bucket: string;
  prefix: string;
  forcePathStyle: boolean;
  followRegionRedirects: boolean;
  checksum: ChecksumMode;
  serverVerifiesChecksums?: boolean;
  /** `true`: CRC32 and MD5 ETags; `'stored'`: a stored CRC32 only; `false`: off. */
  verifyDownloads: boolean | 'stored';
  cacheControl?: string;
  acl?: CannedAcl;
  partSize: number;
  maxBufferedBytes: number;
  queueSize: number;
  maxAttempts: number;
  timeout: number;
  retryBaseDelay: number;
  retryMaxDelay: number;
  signPayload: boolean;
}

function positiveInt(value: unknown, field: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidConfig(field, `must be an integer ≥ ${min}`);
  }
  return value;
}

function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidConfig(field, 'is required');
  return value;
}

/** Trim slashes so `/a/b/` and `a/b` mean the same prefix and keys never get `//`. */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return '';
  if (typeof prefix !== 'string') throw invalidConfig('prefix', 'must be a string');
  return prefix.replace(/^\/+|\/+$/g, '');
}

// Bucket names as S3 allows them, loosely: other stores accept upper case, underscores and short names.
const BUCKET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export function resolveConfig(config: S3ClientConfig): ResolvedConfig {
  if (config === null || typeof config !== 'object') throw invalidConfig('config', 'must be an object');
  const region = config.region ?? regionFromEnvironment();
  if (region === undefined) {
    throw invalidConfig('region', 'is required (set it in the config, AWS_REGION, or the AWS profile)');
  }
  nonEmpty(region, 'region');
  const bucket = nonEmpty(config.bucket, 'bucket');
  if (!BUCKET_RE.test(bucket)) throw invalidConfig('bucket', 'is not a valid bucket name');
  let endpoint: URL;
  const configured = config.endpoint ?? endpointFromEnvironment();
  const custom = configured !== undefined;
  if (custom) {
    try {
      endpoint = new URL(nonEmpty(configured, 'endpoint'));
    } catch (err) {
      if (err instanceof AttError) throw err;
      throw invalidConfig('endpoint', 'is not a valid URL');
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw invalidConfig('endpoint', 'must use http or https');
    }
    if (endpoint.username || endpoint.password || endpoint.search || endpoint.hash) {
      throw invalidConfig('endpoint', 'must not carry credentials, a query or a fragment');
    }
  } else {
    if (region === 'auto') throw invalidConfig('endpoint', "is required with region 'auto'");
    endpoint = new URL(`https://s3.${region}.amazonaws.com`);
  }
  const partSize = positiveInt(config.partSize, 'partSize', 8 * MIB, MIN_PART_SIZE);
  if (partSize > MAX_PART_SIZE) throw invalidConfig('partSize', "must be at most 5 GiB (S3's largest part)");
  const { credentials } = config;
  if (credentials !== undefined) {
    if (typeof credentials === 'object' && credentials !== null) checkedCredentials(credentials, 'credentials');
    else if (typeof credentials !== 'function') {
      throw invalidConfig('credentials', 'must be a credentials object or a function returning a promise of one');
    }
  } else if (config.accessKeyId !== undefined || config.secretAccessKey !== undefined) {
    nonEmpty(config.accessKeyId, 'accessKeyId');
    nonEmpty(config.secretAccessKey, 'secretAccessKey');
  }
  if (config.checksum !== undefined && !CHECKSUM_MODES.includes(config.checksum)) {
    throw invalidConfig('checksum', `must be one of ${CHECKSUM_MODES.join(', ')}`);
  }
  for (const field of [
    'forcePathStyle',
    'signPayload',
    'followRegionRedirects',
    'verifyDownloads',
    'serverVerifiesChecksums',
  ] as const) {
    if (config[field] !== undefined && typeof config[field] !== 'boolean')
      throw invalidConfig(field, 'must be a boolean');
  }
  return {
    endpoint,
    basePath: endpoint.pathname.replace(/\/+$/, ''),
    region,
    bucket,
    prefix: normalizePrefix(config.prefix),
    // Dotted bucket names break TLS wildcard certificates in virtual-hosted style, so they go path-style.
    forcePathStyle: config.forcePathStyle ?? (custom || bucket.includes('.')),
    followRegionRedirects: config.followRegionRedirects ?? false,
    checksum: config.checksum ?? 'crc32',
    ...(config.serverVerifiesChecksums === undefined
      ? {}
      : { serverVerifiesChecksums: config.serverVerifiesChecksums }),
    verifyDownloads: config.verifyDownloads ?? (config.checksum === 'none' ? false : 'stored'),
    partSize,
    maxBufferedBytes: positiveInt(config.maxBufferedBytes, 'maxBufferedBytes', 256 * MIB, MIN_PART_SIZE),
    queueSize: positiveInt(config.queueSize, 'queueSize', 4),
    maxAttempts: positiveInt(config.maxAttempts, 'maxAttempts', 4),
    timeout: positiveInt(config.timeout, 'timeout', 30_000),
    retryBaseDelay: positiveInt(config.retryBaseDelay, 'retryBaseDelay', 100, 0),
    retryMaxDelay: positiveInt(config.retryMaxDelay, 'retryMaxDelay', 5_000, 0),
    signPayload: config.signPayload ?? endpoint.protocol === 'http:',
  };
}

/**
 * Turns the config's credentials into a provider; the secret stays in this closure only. A provider function is
 * cached by expiration (cache.ts); no credentials at all means the AWS default chain, signed for `region`.
 */
export function credentialsProvider(config: S3ClientConfig, region: string): S3CredentialsProvider {
  const { credentials } = config;
  if (typeof credentials === 'function') {
    return createCachedCredentials(async () => checkedCredentials(await credentials(), 'the credentials provider'), {
      keepForever: false,
    });
  }
  if (credentials === undefined && config.accessKeyId === undefined) return createDefaultCredentials({ region });
  const creds = checkedCredentials(
    credentials ?? {
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
    },
    'the config',
  );
  const resolved = Promise.resolve(creds);
  return () => resolved;
}

export const REDACTED = '[redacted]';

/** A copy of a config safe to log: secrets and session tokens replaced, the provider named only. */
export function redactConfig<T extends object>(config: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'secretAccessKey' || key === 'sessionToken' || key === 'sseCustomerKey')
      out[key] = value === undefined ? undefined : REDACTED;
    else if (key === 'credentials' && typeof value === 'function') out[key] = '[provider]';
    else if (key === 'credentials' && value !== undefined) out[key] = REDACTED;
    else if (key === 'agent') out[key] = value === undefined ? undefined : '[agent]';
    else if (value instanceof URL) out[key] = value.href;
    else out[key] = value;
  }
  return out;
}

/**
 * Makes `toJSON`, `toString` and `util.inspect` of `target` show only the redacted view. Used on the client and on
 * parsed configs so a stray `console.log(config)` never prints a secret.
 */
export function installRedaction(target: object, view: () => Record<string, unknown>, label: string): void {
  Object.defineProperties(target, {
    toJSON: { value: view, enumerable: false },
    toString: { value: () => `${label} ${JSON.stringify(view())}`, enumerable: false },
    [inspect.custom]: {
      value: (_depth: number, options: object) => `${label} ${inspect(view(), options)}`,
      enumerable: false,
    },
  });
}
