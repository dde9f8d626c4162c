// The shapes every credential source shares: what a source returns, how it says "not configured here" (so the
// chain moves on) apart from "configured but broken" (so the chain stops and says why), and the options each
// source reads its environment from, so tests hand in a fake environment instead of mutating process.env.
import { AttError } from '@att/store-core';

/** Credentials as the AWS SDK shapes them; `expiration` marks temporary ones (STS, IMDS, containers). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** An SDK-style provider: `@aws-sdk/credential-providers` functions fit as they are. */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

/**
 * A source of the default chain: resolves credentials, `undefined` when its settings are absent (the chain tries
 * the next one), or throws when its settings are present but do not work (the chain stops: a half-configured
 * web identity must not silently fall through to the instance role).
 */
export type CredentialSource = () => Promise<AwsCredentials | undefined>;

export interface SourceOptions {
  /** Environment variables to read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Milliseconds per HTTP request to a metadata endpoint or STS. Default 1 000 (metadata), 5 000 (STS). */
  timeout?: number;
}

/** Credentials that fail with a config error: the field names where to look, never a value. */
export function credentialsError(message: string, cause?: unknown): AttError {
  return new AttError('INVALID_CONFIG', `S3 credentials: ${message}`, {
    details: { field: 'credentials' },
    ...(cause === undefined ? {} : { cause: scrubbed(cause) }),
  });
}

/** An endpoint that answered badly or not at all: may work on the next try (refresh keeps the old keys meanwhile). */
export function credentialsUnavailable(message: string, cause?: unknown): AttError {
  return new AttError('BACKEND_UNAVAILABLE', `S3 credentials: ${message}`, {
    retryable: true,
    details: { field: 'credentials' },
    ...(cause === undefined ? {} : { cause: scrubbed(cause) }),
  });
}

/**
 * A cause reduced to its class and code: errors from child processes and sockets can carry command lines, output
 * or headers, which may hold a secret. AttErrors are ours and already clean.
 */
function scrubbed(cause: unknown): unknown {
  if (cause instanceof AttError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const name = cause instanceof Error ? cause.name : typeof cause;
  return new Error(typeof code === 'string' || typeof code === 'number' ? `${name} (${code})` : name);
}

/** Checks a source's answer and returns a fresh object holding only the four known fields. */
export function checkedCredentials(value: unknown, from: string): AwsCredentials {
  const raw = value as Partial<Record<keyof AwsCredentials, unknown>> | null | undefined;
  if (
    raw === null ||
    typeof raw !== 'object' ||
    typeof raw.accessKeyId !== 'string' ||
    raw.accessKeyId.length === 0 ||
    typeof raw.secretAccessKey !== 'string' ||
    raw.secretAccessKey.length === 0
  ) {
    throw credentialsError(`${from} returned no accessKeyId/secretAccessKey`);
  }
  const out: AwsCredentials = { accessKeyId: raw.accessKeyId, secretAccessKey: raw.secretAccessKey };
  if (typeof raw.sessionToken === 'string' && raw.sessionToken.length > 0) out.sessionToken = raw.sessionToken;
  if (raw.expiration !== undefined && raw.expiration !== null) {
    const expiration = raw.expiration instanceof Date ? raw.expiration : new Date(raw.expiration as string);
    if (Number.isNaN(expiration.getTime())) throw credentialsError(`${from} returned an invalid expiration`);
    out.expiration = expiration;
  }
  return out;
}

/** The AWS JSON shape (IMDS, containers, credential_process): `AccessKeyId`, `SecretAccessKey`, `Token`… */
export function fromAwsJson(json: unknown, from: string): AwsCredentials {
  const raw = (json ?? {}) as Record<string, unknown>;
  return checkedCredentials(
    {
      accessKeyId: raw.AccessKeyId,
      secretAccessKey: raw.SecretAccessKey,
      sessionToken: raw.Token ?? raw.SessionToken,
      expiration: raw.Expiration,
    },
    from,
  );
}
