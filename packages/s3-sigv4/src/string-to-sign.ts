import { sha256Hex } from './hash.js';

/** The only algorithm this package signs with. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Payload hash for bodies the signature does not cover (S3 presigned urls, streamed uploads). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** `20150830/us-east-1/service/aws4_request` — the scope the derived key is valid for. */
export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/aws4_request`;
}

/** The SigV4 canonical request; `headers` is the canonical header block including its trailing newline. */
export function buildCanonicalRequest(
  method: string,
  uri: string,
  query: string,
  headers: string,
  signedHeaders: string,
  payloadHash: string,
): string {
  return `${method}\n${uri}\n${query}\n${headers}\n${signedHeaders}\n${payloadHash}`;
}

/** The string that gets HMACed with the derived key. */
export function buildStringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}
