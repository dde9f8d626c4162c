import { canonicalQuery } from './canonical-query.js';
import { canonicalUri } from './canonical-uri.js';
import { tryEncode } from './encode.js';
import { SigV4Error } from './errors.js';
import {
  bodyHash,
  explicitPayloadHash,
  type PresignOptions,
  resolveMethod,
  resolveOptions,
  type SignableRequest,
  validateExpires,
} from './options.js';
import { collectHeaders, computeSignature, type SignatureParts } from './signature.js';
import { ALGORITHM, credentialScope, UNSIGNED_PAYLOAD } from './string-to-sign.js';
import { parseUrl } from './url.js';

// Query parameters the presigner owns; a url that already carries one would end up with two.
const PRESIGN_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Security-Token',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
]);

function rejectPresignParams(query: string): void {
  if (!query.includes('X-Amz-') && !query.includes('%')) return;
  for (const piece of query.split('&')) {
    const eq = piece.indexOf('=');
    let key = eq === -1 ? piece : piece.slice(0, eq);
    try {
      key = decodeURIComponent(key);
    } catch {
      continue; // canonicalQuery reports malformed escapes
    }
    if (PRESIGN_PARAMS.has(key)) throw new SigV4Error('INVALID_URL', `invalid url: it already has ${key}`);
  }
}

function encodeParam(value: string): string {
  // Only reached for values the signer built or already validated, so a lone surrogate here is a caller token.
  const encoded = tryEncode(value, false);
  if (encoded === undefined) throw new SigV4Error('INVALID_CREDENTIALS', 'credential contains a lone surrogate');
  return encoded;
}

/** presignUrl plus the intermediate strings (canonical request, string to sign) — for tests and debugging. */
export function presignUrlDetailed(
  request: SignableRequest,
  options: PresignOptions,
): { url: string; parts: SignatureParts } {
  const opts = resolveOptions(options);
  const expiresIn = validateExpires(options.expiresIn);
  const method = resolveMethod(request?.method);
  const url = parseUrl(request.url);
  rejectPresignParams(url.query);
  // The token travels as a query parameter here, so a caller's x-amz-security-token header is theirs to keep.
  const collected = collectHeaders(request.headers, false);
  const { entries } = collected;
  entries.push(['host', url.host]);

  // Rule 7: S3 presigned urls sign UNSIGNED-PAYLOAD (the body is not known yet); other services hash the body.
  let payloadHash: string;
  const signedPayload = options.signedPayload;
  if (signedPayload === undefined) {
    if (collected.payloadHash !== undefined) {
      payloadHash = collected.payloadHash;
      entries.push(['x-amz-content-sha256', payloadHash]); // the caller will send it, so it is signed
    } else payloadHash = opts.isS3 ? UNSIGNED_PAYLOAD : bodyHash(request.body);
  } else payloadHash = explicitPayloadHash(signedPayload, request.body);

  // SignedHeaders must be known before the query is canonicalised, so sort names up front.
  const names = [...new Set(entries.map((e) => e[0]))].sort();
  const params: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${opts.accessKeyId}/${credentialScope(opts.shortDate, opts.region, opts.service)}`],
    ['X-Amz-Date', opts.amzDate],
    ['X-Amz-Expires', String(expiresIn)],
  ];
  if (opts.sessionToken !== undefined) params.push(['X-Amz-Security-Token', opts.sessionToken]);
  params.push(['X-Amz-SignedHeaders', names.join(';')]);

  const parts = computeSignature(
    opts,
    method,
    canonicalUri(url.path, opts.uriEscapePath, opts.normalizePath),
    canonicalQuery(url.query, params),
    entries,
    payloadHash,
  );
  let out = `${url.base}?`;
  if (url.query.length > 0) out += `${url.query}&`;
  for (const [k, v] of params) out += `${k}=${encodeParam(v)}&`;
  out += `X-Amz-Signature=${parts.signature}`;
  return { url: out, parts };
}

/**
 * Presign a url (query-string authentication). Keeps the url's own query parameters, adds X-Amz-Algorithm,
 * -Credential, -Date, -Expires, -Security-Token (signed), -SignedHeaders (host plus every header given) and
 * X-Amz-Signature. Headers given must be sent unchanged with the request.
 */
export function presignUrl(request: SignableRequest, options: PresignOptions): string {
  return presignUrlDetailed(request, options).url;
}
