import { canonicalQuery } from './canonical-query.js';
import { canonicalUri } from './canonical-uri.js';
import {
  bodyHash,
  explicitPayloadHash,
  resolveMethod,
  resolveOptions,
  type SignableRequest,
  type SignOptions,
} from './options.js';
import { collectHeaders, computeSignature, type SignatureParts } from './signature.js';
import { ALGORITHM } from './string-to-sign.js';
import { parseUrl } from './url.js';

export interface SignedRequest {
  /** Every header to send: the caller's plus host, x-amz-date, x-amz-security-token, x-amz-content-sha256, authorization. */
  headers: Record<string, string>;
}

/** signRequest plus the intermediate strings (canonical request, string to sign) — for tests and debugging. */
export function signRequestDetailed(
  request: SignableRequest,
  options: SignOptions,
): SignedRequest & { parts: SignatureParts } {
  const opts = resolveOptions(options);
  const method = resolveMethod(request?.method);
  const url = parseUrl(request.url);
  const collected = collectHeaders(request.headers, opts.sessionToken !== undefined);
  const { send, entries } = collected;

  // Rule 6: absent → body hash (a caller-supplied x-amz-content-sha256 wins), header only for s3.
  let payloadHash: string;
  let sendPayloadHeader = true;
  const signedPayload = options.signedPayload;
  if (signedPayload === undefined) {
    if (collected.payloadHash !== undefined) payloadHash = collected.payloadHash;
    else {
      payloadHash = bodyHash(request.body);
      sendPayloadHeader = opts.isS3;
    }
  } else payloadHash = explicitPayloadHash(signedPayload, request.body);

  send.host = url.host;
  entries.push(['host', url.host]);
  send['x-amz-date'] = opts.amzDate;
  entries.push(['x-amz-date', opts.amzDate]);
  if (opts.sessionToken !== undefined) {
    send['x-amz-security-token'] = opts.sessionToken;
    entries.push(['x-amz-security-token', opts.sessionToken]);
  }
  if (sendPayloadHeader) {
    send['x-amz-content-sha256'] = payloadHash;
    entries.push(['x-amz-content-sha256', payloadHash]);
  }

  const parts = computeSignature(
    opts,
    method,
    canonicalUri(url.path, opts.uriEscapePath, opts.normalizePath),
    canonicalQuery(url.query),
    entries,
    payloadHash,
  );
  send.authorization = `${ALGORITHM} Credential=${opts.accessKeyId}/${parts.credentialScope}, SignedHeaders=${parts.signedHeaders}, Signature=${parts.signature}`;
  return { headers: send, parts };
}

/**
 * Sign a request with AWS Signature V4 (Authorization header). Returns every header to send: the caller's,
 * plus `host`, `x-amz-date`, `authorization`, and `x-amz-security-token` / `x-amz-content-sha256` when due.
 * Throws `SigV4Error` (with a stable `code`) on invalid input instead of signing garbage.
 */
export function signRequest(request: SignableRequest, options: SignOptions): SignedRequest {
  return { headers: signRequestDetailed(request, options).headers };
}
