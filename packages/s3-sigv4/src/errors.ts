/**
 * Stable error codes. Callers branch on `code`, never on `message`; messages may be reworded, codes may not.
 */
export const SIGV4_ERROR_CODES = {
  /** accessKeyId or secretAccessKey missing/empty/not a string, or sessionToken not a string. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** region missing, empty, or containing characters that would corrupt the credential scope. */
  INVALID_REGION: 'INVALID_REGION',
  /** service missing, empty, or containing characters that would corrupt the credential scope. */
  INVALID_SERVICE: 'INVALID_SERVICE',
  /** `date` is not a valid Date. */
  INVALID_DATE: 'INVALID_DATE',
  /** presign `expiresIn` is not an integer in 1..604800 seconds. */
  INVALID_EXPIRES: 'INVALID_EXPIRES',
  /** url is not an absolute http(s) URL, has an empty/invalid host or port, control characters or bad escapes. */
  INVALID_URL: 'INVALID_URL',
  /** method, headers, body or signedPayload are malformed. */
  INVALID_REQUEST: 'INVALID_REQUEST',
} as const;

export type SigV4ErrorCode = (typeof SIGV4_ERROR_CODES)[keyof typeof SIGV4_ERROR_CODES];

/**
 * The one error class of @att/s3-sigv4. Messages are built from fixed text only — never from the secret,
 * the session token or the url (which could carry userinfo) — so they are safe to log.
 */
export class SigV4Error extends Error {
  readonly code: SigV4ErrorCode;

  constructor(code: SigV4ErrorCode, message: string) {
    super(message);
    this.name = 'SigV4Error';
    this.code = code;
  }

  toJSON(): { name: string; code: SigV4ErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** True for errors thrown by this package (works across duplicated copies of the package, unlike instanceof). */
export function isSigV4Error(error: unknown): error is SigV4Error {
  return (
    error instanceof SigV4Error ||
    (error instanceof Error &&
      error.name === 'SigV4Error' &&
      typeof (error as { code?: unknown }).code === 'string' &&
      (error as unknown as { code: string }).code in SIGV4_ERROR_CODES)
  );
}
