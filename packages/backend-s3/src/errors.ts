import { AttError, type AttErrorCode, isAttError } from '@att/store-core';
import { TIMEOUT_CODE } from './http.js';
import { bucketRegionHint } from './region-redirect.js';
import { parseXml, text, type XmlNode } from './xml.js';

/** S3 error codes that mean "try again", whatever status the provider put on them (RequestTimeout is a 400). */
const RETRYABLE_S3_CODES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable']);
/** Whether an S3 error code (also a per-key one in a DeleteObjects answer) means "try again". */
export function isRetryableS3Code(code: string): boolean {
  return RETRYABLE_S3_CODES.has(code);
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

export interface ResponseContext {
  operation: string;
  key?: string | undefined;
}

/** The `Code`, `Message` and `RequestId` of an S3 `<Error>` document, or nothing if the body is not one. */
export function parseErrorBody(body: string): { code?: string; message?: string; requestId?: string } {
  const trimmed = body.trimStart();
  if (!trimmed.startsWith('<')) return {};
  let doc: XmlNode;
  try {
    doc = parseXml(trimmed, 'error');
  } catch {
    return {};
  }
  const root = doc.Error;
  if (root === null || typeof root !== 'object') return {};
  const node = root as XmlNode;
  const out: { code?: string; message?: string; requestId?: string } = {};
  const code = text(node, 'Code');
  const message = text(node, 'Message');
  const requestId = text(node, 'RequestId');
  if (code) out.code = code.trim();
  if (message) out.message = message.trim();
  if (requestId) out.requestId = requestId.trim();
  return out;
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** S3 codes (AWS; Swift says BadDigest for a payload hash too) for a body that does not match its digest. */
const DIGEST_MISMATCH_CODES = new Set(['BadDigest', 'XAmzContentSHA256Mismatch']);

function codeForStatus(status: number, s3Code: string | undefined): { code: AttErrorCode; retryable: boolean } {
  // Status first: providers disagree on codes (Swift says SignatureDoesNotMatch where AWS says InvalidAccessKeyId).
  // A missing bucket is an outage (deleted, or a wrong name in the config), never a missing object. HEAD answers
  // carry no document, so a HEAD in a missing bucket still reads as NOT_FOUND: Store.check tells them apart.
  if (status === 404) {
    return { code: s3Code === 'NoSuchBucket' ? 'BACKEND_UNAVAILABLE' : 'NOT_FOUND', retryable: false };
  }
  if (status === 401 || status === 403) return { code: 'ACCESS_DENIED', retryable: false };
  // The server refused the body because it does not match the hash or checksum sent with it (Content-MD5, a signed
  // SHA-256, x-amz-checksum-*, an aws-chunked trailer): nothing was stored, and a resent buffer may well arrive whole.
  if (status === 400 && s3Code !== undefined && DIGEST_MISMATCH_CODES.has(s3Code)) {
    return { code: 'INTEGRITY_ERROR', retryable: true };
  }
  if (status === 416) return { code: 'RANGE_NOT_SATISFIABLE', retryable: false };
  if (RETRYABLE_STATUSES.has(status)) return { code: 'BACKEND_UNAVAILABLE', retryable: true };
  if (s3Code !== undefined && RETRYABLE_S3_CODES.has(s3Code)) return { code: 'BACKEND_UNAVAILABLE', retryable: true };
  return { code: 'BACKEND_ERROR', retryable: false };
}

/** Turns a non-2xx S3 response (or a 200 carrying `<Error>`) into an AttError with status, S3 code, request id. */
export function s3ResponseError(
  context: ResponseContext,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): AttError {
  const parsed = parseErrorBody(body);
  const requestId = parsed.requestId ?? headerValue(headers, 'x-amz-request-id');
  const { code, retryable } = codeForStatus(status, parsed.code);
  const what = context.key === undefined ? context.operation : `${context.operation} "${context.key}"`;
  const reason = parsed.code
    ? `${parsed.code}${parsed.message ? `: ${parsed.message}` : ''}`
    : body.trim()
      ? 'no S3 error document in the response'
      : 'empty response';
  const details: Record<string, unknown> = { operation: context.operation, httpStatus: status };
  if (context.key !== undefined) details.key = context.key;
  if (parsed.code) details.s3Code = parsed.code;
  if (requestId) details.requestId = requestId;
  const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'));
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  if (isClockSkew(status, parsed.code, parsed.message)) {
    const serverTime = Date.parse(headerValue(headers, 'date') ?? '');
    if (!Number.isNaN(serverTime)) details.serverTime = serverTime;
  }
  const bucketRegion = bucketRegionHint(status, headers, body, parsed.code);
  if (bucketRegion !== undefined) {
    // A config problem, not a server one: say which region to set instead of "empty response".
    return new AttError(
      'INVALID_CONFIG',
      `S3 ${what} failed: HTTP ${status}, the bucket is in region "${bucketRegion}": set region: '${bucketRegion}' ` +
        '(or followRegionRedirects: true)',
      { details: { ...details, field: 'region', bucketRegion } },
    );
  }
  if (status === 301 || status === 307) {
    return new AttError(
      code,
      `S3 ${what} failed: HTTP ${status} redirect, the bucket needs another region or endpoint`,
      {
        details,
      },
    );
  }
  return new AttError(code, `S3 ${what} failed: HTTP ${status}, ${reason}`, { retryable, details });
}

/** Messages by which servers reject a signature for its time rather than its key (AWS, Swift, MinIO, R2 wordings). */
const TIME_MESSAGE = /request time|signature (?:expired|not yet current)|time ?skew|too skewed|out of range/i;

/** Whether a 403 rejects the request's signing time (our clock), not its credentials. */
export function isClockSkew(status: number, s3Code: string | undefined, message: string | undefined): boolean {
  if (status !== 403 && status !== 400) return false;
  if (s3Code === 'RequestTimeTooSkewed') return true;
  const signatureCode = s3Code === 'SignatureDoesNotMatch' || s3Code === 'AccessDenied' || s3Code === 'InvalidRequest';
  return signatureCode && message !== undefined && TIME_MESSAGE.test(message);
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);
const TIMEOUT_CODES = new Set([TIMEOUT_CODE]);

/** Maps a transport failure (node:http or socket error) to an AttError; AttErrors pass through untouched. */
export function transportError(err: unknown, context: ResponseContext, signal: AbortSignal | undefined): AttError {
  if (isAttError(err)) return err;
  const what = context.key === undefined ? context.operation : `${context.operation} "${context.key}"`;
  const details: Record<string, unknown> = { operation: context.operation };
  if (context.key !== undefined) details.key = context.key;
  if (signal?.aborted) {
    return new AttError('ABORTED', `S3 ${what} was aborted`, { cause: signal.reason ?? err, details });
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') details.errorCode = code;
  if (code === 'ABORT_ERR') {
    return new AttError('ABORTED', `S3 ${what} was aborted`, { cause: err, details });
  }
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new AttError('TIMEOUT', `S3 ${what} timed out`, { cause: err, details, retryable: true });
  }
  if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) {
    return new AttError('BACKEND_UNAVAILABLE', `S3 ${what} failed: connection error ${code}`, {
      cause: err,
      details,
      retryable: true,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AttError('BACKEND_ERROR', `S3 ${what} failed: ${message}`, { cause: err, details });
}

type Destroy = (err: Error | null, callback: (err?: Error | null) => void) => void;

/**
 * Makes a response body fail with AttErrors too: a connection cut or an idle timeout mid-download surfaces as
 * BACKEND_UNAVAILABLE / TIMEOUT like every other S3 failure. Hooks the stream's own `_destroy` (no extra stream in
 * the data path); errors that are not transport errors (a caller's own destroy(err)) pass through unchanged.
 */
export function mapBodyErrors(
  body: { _destroy: Destroy },
  context: ResponseContext,
  signal: AbortSignal | undefined,
): void {
  const original = body._destroy;
  body._destroy = function (this: unknown, err, callback) {
    original.call(this, err, (error) => {
      const code = (error as { code?: unknown } | null | undefined)?.code;
      const transport =
        (error != null && signal?.aborted === true) ||
        (typeof code === 'string' && (TIMEOUT_CODES.has(code) || RETRYABLE_NETWORK_CODES.has(code)));
      callback(transport ? transportError(error, context, signal) : error);
    });
  };
}
