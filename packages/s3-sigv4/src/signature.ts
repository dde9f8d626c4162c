import { canonicalHeaders, type HeaderEntry, headerName, headerValue, trimAll } from './canonical-headers.js';
import { SigV4Error } from './errors.js';
import { hmacSha256Hex } from './hash.js';
import type { ResolvedOptions } from './options.js';
import { getSigningKey } from './signing-key.js';
import { buildCanonicalRequest, buildStringToSign, credentialScope } from './string-to-sign.js';

/** Caller headers split into what gets signed and what gets sent back. */
export interface CollectedHeaders {
  /** Headers to send, caller's spelling, minus the ones the signer owns. */
  send: Record<string, string>;
  /** Lowercase name / normalised value pairs to sign. */
  entries: HeaderEntry[];
  /** Value of a caller-supplied x-amz-content-sha256, which then becomes the payload hash. */
  payloadHash: string | undefined;
}

/**
 * Walk the caller's headers once. `host`, `x-amz-date` and `authorization` always come from the signer;
 * `x-amz-security-token` too when a session token is given; `x-amz-content-sha256` is lifted out so the signer
 * can re-emit it (lowercase) with the payload hash it actually signed.
 */
export function collectHeaders(headers: unknown, ownsToken: boolean): CollectedHeaders {
  const send: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  let payloadHash: string | undefined;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') throw new SigV4Error('INVALID_REQUEST', 'headers must be an object');
    // A Headers or Map has no own enumerable keys: reading it as a record would silently sign (and return)
    // none of its headers, so refuse it loudly instead.
    if (Symbol.iterator in headers) {
      throw new SigV4Error('INVALID_REQUEST', 'headers must be a plain object; use Object.fromEntries(headers)');
    }
    const record = headers as Record<string, unknown>;
    for (const rawName of Object.keys(record)) {
      const raw = record[rawName];
      if (raw === undefined || raw === null) continue;
      const name = headerName(rawName);
      const value = headerValue(raw);
      if (name === 'host' || name === 'x-amz-date' || name === 'authorization') continue;
      if (name === 'x-amz-security-token' && ownsToken) continue;
      if (name === 'x-amz-content-sha256') {
        payloadHash = trimAll(value);
        continue;
      }
      send[rawName] = value;
      entries.push([name, trimAll(value)]);
    }
  }
  return { send, entries, payloadHash };
}

/** Everything a signature is made of — returned whole so tests can compare each step with AWS's vectors. */
export interface SignatureParts {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  credentialScope: string;
  signature: string;
}

/** Build the canonical request and string to sign, and sign the latter with the (cached) derived key. */
export function computeSignature(
  opts: ResolvedOptions,
  method: string,
  uri: string,
  query: string,
  entries: HeaderEntry[],
  payloadHash: string,
): SignatureParts {
  const { canonical, signed } = canonicalHeaders(entries);
  const canonicalRequest = buildCanonicalRequest(method, uri, query, canonical, signed, payloadHash);
  const scope = credentialScope(opts.shortDate, opts.region, opts.service);
  const stringToSign = buildStringToSign(opts.amzDate, scope, canonicalRequest);
  const key = getSigningKey(opts.secretAccessKey, opts.shortDate, opts.region, opts.service);
  return {
    canonicalRequest,
    stringToSign,
    signedHeaders: signed,
    credentialScope: scope,
    signature: hmacSha256Hex(key, stringToSign),
  };
}
