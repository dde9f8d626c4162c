/**
 * The one error class of att. Callers branch on `code` (stable strings), never on messages.
 * `status` is a hint for HTTP layers; `retryable` tells whether the same call may succeed later.
 */
export const ERROR_CODES = {
  NOT_FOUND: 404,
  INVALID_ID: 400,
  INVALID_REQUEST: 400,
  TOO_LARGE: 413,
  QUOTA_EXCEEDED: 507,
  RATE_LIMITED: 429,
  FORBIDDEN: 403,
  ACCESS_DENIED: 403,
  ABORTED: 499,
  SIZE_MISMATCH: 400,
  /** An HTTP request body that another middleware read first (a body parser mounted before the router). */
  BODY_CONSUMED: 400,
  RANGE_NOT_SATISFIABLE: 416,
  INVALID_CONFIG: 500,
  UNKNOWN_BACKEND: 500,
  BACKEND_UNAVAILABLE: 503,
  TIMEOUT: 504,
  BACKEND_ERROR: 502,
  /** Stored or received bytes do not match their checksum: nothing read so far may be trusted. */
  INTEGRITY_ERROR: 502,
  STATE_UNAVAILABLE: 503,
  /** A resumable upload's offset is not what the caller assumed, or another request holds the upload. */
  CONFLICT: 409,
  /** The bytes do not match the checksum the client sent with them (tus answers 460). */
  CHECKSUM_MISMATCH: 460,
  /** The backend lacks an optional capability the call needs (e.g. presigned URLs on a local directory). */
  NOT_IMPLEMENTED: 501,
} as const;

export type AttErrorCode = keyof typeof ERROR_CODES;

/** Codes whose failures are transient by nature unless the thrower says otherwise. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<AttErrorCode> = new Set([
  'BACKEND_UNAVAILABLE',
  'TIMEOUT',
  'STATE_UNAVAILABLE',
]);

export interface AttErrorOptions {
  /** HTTP status hint; defaults to the code's usual status. */
  status?: number;
  /** Whether retrying the same operation may succeed. */
  retryable?: boolean;
  /** The underlying error (kept off `message`, so secrets in it never reach logs by accident). */
  cause?: unknown;
  /** Extra machine-readable facts (limit, size, S3 code, request id…). Never credentials. */
  details?: Record<string, unknown>;
}

export class AttError extends Error {
  override readonly name = 'AttError';
  readonly code: AttErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AttErrorCode, message: string, options: AttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code];
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details;
  }

  toJSON(): { code: AttErrorCode; message: string; status: number } {
    return { code: this.code, message: this.message, status: this.status };
  }
}

/** True when `err` is an AttError (from any copy of this package), optionally with the given code. */
export function isAttError(err: unknown, code?: AttErrorCode): err is AttError {
  if (!(err instanceof Error) || err.name !== 'AttError' || typeof (err as AttError).code !== 'string') return false;
  return code === undefined || (err as AttError).code === code;
}
