/**
 * Which upload checksum a client sends, learned per client from the server's answers (checksum.ts has the
 * algorithms, README "Integrity" the numbers behind the default).
 *
 * Mode `crc32` (the default; `crc32c` and `crc64nvme` alike with their algorithm) offers `x-amz-checksum-crc32` — on
 * a buffered PutObject, on the parts and the completion of a multipart upload declared `CRC32` / `FULL_OBJECT`, and
 * as the aws-chunked trailer of a streamed PUT once verification is known — and watches the answers: a server that
 * verifies it echoes the checksum (PutObject) or the algorithm (CreateMultipartUpload); one that ignores it
 * (Swift, fauxqs) does not, and from then on this client sends none. One that refuses the headers outright
 * (Backblaze B2: 400 "Unsupported header 'x-amz-checksum-…'") gets the request resent without them, once per
 * client. `serverVerifiesChecksums` in the config skips the learning (true: always offer; false: never).
 *
 * Where no CRC is verified, what `signPayload` gives stays: a SHA-256 of each buffered body the server checks
 * (the default over http), or TLS alone (https). Forcing SHA-256 there instead was measured at ~2.5 ms of CPU per
 * MiB, over the 5 % budget; `checksum: 'md5'` or `signPayload: true` buy end-to-end checks there (README).
 */

import type { AttError } from '@att/store-core';
import { type ChecksumMode, md5Base64 } from './checksum.js';
import type { ChecksumAlgorithm } from './checksum-algorithm.js';
import { checksumAlgorithm } from './checksum-algorithms.js';

/** Headers that carry or ask for flexible checksums (a refusing server refuses them all). */
const CHECKSUM_HEADER = /^x-amz-(?:checksum-|sdk-checksum-)/;
const REFUSAL = /unsupported header '?x-amz-(?:checksum|sdk-checksum)/i;
const BODY_OPERATIONS = new Set(['PutObject', 'UploadPart']);
/** AWS on an Object Lock bucket: "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests…". */
const DEMAND = /(?:content-md5|x-amz-checksum)[^.]*\brequired\b/i;

export interface ChecksumRequest {
  operation: string;
  headers?: Record<string, string> | undefined;
  body?: unknown;
}

export class ChecksumPolicy {
  readonly mode: ChecksumMode;
  /** The CRC of a `crc32` / `crc32c` / `crc64nvme` mode; undefined for `md5` and `none`. */
  readonly algorithm: ChecksumAlgorithm | undefined;
  /** Whether the server verifies the algorithm's x-amz-checksum-*: undefined until an answer showed it. */
  verifiesCrc: boolean | undefined;
  /** The server refuses x-amz-checksum-* headers (B2): none is sent any more. */
  refused = false;
  /** False once a PUT's ETag proved not to be the MD5 of the bytes stored (put-verification.ts). */
  etagsAreMd5: boolean | undefined;
  /** Checksum headers per request, computed once however often it is resent. */
  readonly #computed = new WeakMap<object, Record<string, string> | undefined>();

  /** Whether learning is on (no `serverVerifiesChecksums` in the config). */
  readonly #learns: boolean;

  constructor(mode: ChecksumMode, serverVerifies?: boolean) {
    this.mode = mode;
    this.algorithm = checksumAlgorithm(mode);
    this.verifiesCrc = serverVerifies;
    this.#learns = serverVerifies === undefined;
  }

  /** Whether uploads should offer the CRC (a multipart upload declares it at creation). */
  get offersCrc(): boolean {
    return this.algorithm !== undefined && !this.refused && this.verifiesCrc !== false;
  }

  /** Whether to ask GETs for the stored checksum (`x-amz-checksum-mode`). */
  get asksForChecksums(): boolean {
    return this.mode !== 'none' && !this.refused && this.verifiesCrc !== false;
  }

  /**
   * The checksum a streamed PUT sends as an aws-chunked trailer: only to a server known to verify checksums (a
   * stream cannot be resent, and Swift answers aws-chunked with 501).
   */
  get trailer(): ChecksumAlgorithm | undefined {
    return this.verifiesCrc === true && !this.refused ? this.algorithm : undefined;
  }

  /** Whether single PUTs compare their answer's ETag with the MD5 of the bytes sent (put-verification.ts). */
  get checksEtags(): boolean {
    return this.mode !== 'none' && this.etagsAreMd5 !== false;
  }

  /**
   * Whether the server checked a request's body against what was signed or sent with it: a signed payload hash,
   * Content-MD5, or a flexible checksum it echoed (a server that ignores one does not echo it).
   */
  bodyChecked(sent: Record<string, string>, answer: Record<string, unknown>, signedPayload: boolean): boolean {
    if (signedPayload || 'content-md5' in sent) return true;
    for (const [name, value] of Object.entries(sent)) {
      if (name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-type' && answer[name] === value) return true;
    }
    return false;
  }

  /** The request's headers with the checksum this policy adds (or, after a refusal, without any). */
  prepare(request: ChecksumRequest, headers: Record<string, string>): Record<string, string> {
    if (this.mode === 'none') return headers;
    let out = headers;
    if (this.refused && Object.keys(headers).some((name) => CHECKSUM_HEADER.test(name))) {
      out = Object.fromEntries(Object.entries(headers).filter(([name]) => !CHECKSUM_HEADER.test(name)));
    }
    const body = request.body;
    if (!(body instanceof Uint8Array) || !BODY_OPERATIONS.has(request.operation)) return out;
    if (!this.#computed.has(request)) this.#computed.set(request, this.#bodyChecksum(request.operation, body));
    const added = this.#computed.get(request);
    if (added && !(this.refused && Object.keys(added).some((name) => CHECKSUM_HEADER.test(name)))) {
      out = { ...out, ...added };
    }
    return out;
  }

  #bodyChecksum(operation: string, body: Uint8Array): Record<string, string> | undefined {
    if (this.mode === 'md5') return { 'content-md5': md5Base64(body) };
    // Parts carry a CRC only when their upload declared one (multipart.ts adds it); a lone PUT offers it.
    const algorithm = this.algorithm;
    if (operation === 'PutObject' && algorithm && this.offersCrc) return { [algorithm.header]: algorithm.digest(body) };
    return undefined;
  }

  /** Learns from a successful answer whether the server took the CRC it was offered. */
  learn(operation: string, sent: Record<string, string>, answer: Record<string, unknown>): void {
    const algorithm = this.algorithm;
    if (!algorithm || this.refused || !this.#learns) return;
    if (operation === 'PutObject' && algorithm.header in sent) {
      this.verifiesCrc = answer[algorithm.header] === sent[algorithm.header];
    } else if (operation === 'CreateMultipartUpload' && 'x-amz-checksum-algorithm' in sent) {
      this.verifiesCrc = String(answer['x-amz-checksum-algorithm'] ?? '').toUpperCase() === algorithm.s3Name;
    }
  }

  /**
   * Learns from a 400 demanding a checksum (AWS, Object Lock buckets) that the server verifies them, so that the
   * next streamed PUT carries its CRC as a trailer; a stream that went without cannot be resent, a buffer can
   * (then it offers the CRC). Returns whether the request may be resent.
   */
  demanded(error: AttError, request: ChecksumRequest): boolean {
    if (!this.algorithm || this.refused || !this.#learns || error.details?.httpStatus !== 400) return false;
    if (!DEMAND.test(error.message) || this.verifiesCrc === true) return false;
    this.verifiesCrc = true;
    this.#computed.delete(request); // computed while not offering: the resend computes its CRC
    return true;
  }

  /** True when `error` is a server refusing checksum headers: remembered, and the request can be resent. */
  refusal(error: AttError): boolean {
    if (this.refused || error.details?.httpStatus !== 400 || !REFUSAL.test(error.message)) return false;
    this.refused = true;
    this.verifiesCrc = false;
    return true;
  }
}
