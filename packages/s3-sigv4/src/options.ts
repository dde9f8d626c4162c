import { types } from 'node:util';
import { SigV4Error } from './errors.js';
import { EMPTY_SHA256, sha256Hex } from './hash.js';
import { UNSIGNED_PAYLOAD } from './string-to-sign.js';

/** The request to sign. `url` is absolute; its path is signed exactly as written (see README, rule 2). */
export interface SignableRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface SignOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  /** `s3` switches the path and payload defaults, see `uriEscapePath`, `normalizePath`, `signedPayload`. */
  service: string;
  /** Signing time; defaults to now. */
  date?: Date;
  /** Percent-encode the path again before signing. Default: true, except for service `s3`. */
  uriEscapePath?: boolean;
  /** Resolve `.`/`..` and drop empty path segments. Default: true, except for service `s3`. */
  normalizePath?: boolean;
  /**
   * Payload hash: absent → SHA-256 of the body (sent as `x-amz-content-sha256` only for `s3`);
   * `true` → SHA-256 of the body, sent; `false` → `UNSIGNED-PAYLOAD`, sent; a string → used verbatim, sent.
   */
  signedPayload?: boolean | string;
}

export interface PresignOptions extends SignOptions {
  /** Lifetime of the url in seconds, an integer in 1..604800 (7 days). */
  expiresIn: number;
}

/** Options checked and defaults applied, plus the two date forms SigV4 uses. */
export interface ResolvedOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  region: string;
  service: string;
  isS3: boolean;
  uriEscapePath: boolean;
  normalizePath: boolean;
  /** `20150830T123600Z` */
  amzDate: string;
  /** `20150830` */
  shortDate: string;
}

// Scope parts end up between `/` in the credential; whitespace or `/` would make the scope ambiguous.
function isScopeSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x2f) return false;
  }
  return true;
}

// One-entry memo: signing bursts happen within the same second, and toISOString is a measurable share of a
// signature. Keyed by whole seconds since the epoch, since that is all the format carries.
let memoSecond = Number.NaN;
let memoAmzDate = '';

/** `2015-08-30T12:36:00.000Z` → `20150830T123600Z` without a regex. */
export function formatAmzDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === memoSecond) return memoAmzDate;
  const iso = date.toISOString();
  // Years outside 0000..9999 format as ±YYYYYY-… and would corrupt the scope.
  if (iso.length !== 24) throw new SigV4Error('INVALID_DATE', 'date is out of range');
  memoAmzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  memoSecond = second;
  return memoAmzDate;
}

export function resolveOptions(options: SignOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new SigV4Error('INVALID_CREDENTIALS', 'signing options are required');
  }
  const { accessKeyId, secretAccessKey, sessionToken, region, service, date } = options;
  // Messages name the field, never its value: the secret must not leak through an error.
  if (typeof accessKeyId !== 'string' || accessKeyId.length === 0 || !isScopeSafe(accessKeyId)) {
    throw new SigV4Error('INVALID_CREDENTIALS', 'accessKeyId must be a non-empty string without whitespace or "/"');
  }
  if (typeof secretAccessKey !== 'string' || secretAccessKey.length === 0) {
    throw new SigV4Error('INVALID_CREDENTIALS', 'secretAccessKey must be a non-empty string');
  }
  if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken.length === 0)) {
    throw new SigV4Error('INVALID_CREDENTIALS', 'sessionToken must be a non-empty string when given');
  }
  if (typeof region !== 'string' || region.length === 0 || !isScopeSafe(region)) {
    throw new SigV4Error('INVALID_REGION', 'region must be a non-empty string without whitespace or "/"');
  }
  if (typeof service !== 'string' || service.length === 0 || !isScopeSafe(service)) {
    throw new SigV4Error('INVALID_SERVICE', 'service must be a non-empty string without whitespace or "/"');
  }
  let amzDate: string;
  if (date === undefined) {
    amzDate = formatAmzDate(new Date());
  } else {
    // types.isDate also accepts Dates from another realm (vm contexts, test runners' sandboxes).
    if (!(date instanceof Date || types.isDate(date)) || Number.isNaN(date.getTime())) {
      throw new SigV4Error('INVALID_DATE', 'date must be a valid Date');
    }
    amzDate = formatAmzDate(date);
  }
  const isS3 = service === 's3';
  const { uriEscapePath, normalizePath, signedPayload } = options;
  if (uriEscapePath !== undefined && typeof uriEscapePath !== 'boolean') {
    throw new SigV4Error('INVALID_REQUEST', 'uriEscapePath must be a boolean');
  }
  if (normalizePath !== undefined && typeof normalizePath !== 'boolean') {
    throw new SigV4Error('INVALID_REQUEST', 'normalizePath must be a boolean');
  }
  if (
    signedPayload !== undefined &&
    typeof signedPayload !== 'boolean' &&
    (typeof signedPayload !== 'string' || signedPayload.length === 0 || !isScopeSafe(signedPayload))
  ) {
    throw new SigV4Error('INVALID_REQUEST', 'signedPayload must be a boolean or a non-empty hash string');
  }
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    region,
    service,
    isS3,
    uriEscapePath: uriEscapePath ?? !isS3,
    normalizePath: normalizePath ?? !isS3,
    amzDate,
    shortDate: amzDate.slice(0, 8),
  };
}

export function validateExpires(expiresIn: unknown): number {
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604800) {
    throw new SigV4Error('INVALID_EXPIRES', 'expiresIn must be an integer number of seconds in 1..604800');
  }
  return expiresIn;
}

// The methods fetch() upper-cases on the wire; sign what will actually be sent.
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

export function resolveMethod(method: unknown): string {
  if (typeof method !== 'string' || method.length === 0) {
    throw new SigV4Error('INVALID_REQUEST', 'method must be a non-empty string');
  }
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) throw new SigV4Error('INVALID_REQUEST', 'invalid character in method');
  }
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

export function bodyHash(body: unknown): string {
  if (body === undefined || body === null) return EMPTY_SHA256;
  // types.isUint8Array also accepts bytes from another realm, where instanceof fails.
  if (typeof body === 'string' || body instanceof Uint8Array || types.isUint8Array(body)) return sha256Hex(body);
  throw new SigV4Error('INVALID_REQUEST', 'body must be a string or a Uint8Array');
}

/**
 * The payload hash an explicit `signedPayload` asks for (sign and presign alike): `true` → the body's SHA-256,
 * `false` → UNSIGNED-PAYLOAD, a string → itself.
 */
export function explicitPayloadHash(signedPayload: boolean | string, body: unknown): string {
  if (signedPayload === true) return bodyHash(body);
  return signedPayload === false ? UNSIGNED_PAYLOAD : signedPayload;
}
