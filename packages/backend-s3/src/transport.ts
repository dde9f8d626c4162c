import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { encodeRfc3986, signRequest } from '@att/s3-sigv4';
import { AttError } from '@att/store-core';
import { ChecksumPolicy } from './checksum-policy.js';
import type { ResolvedConfig, S3Credentials, S3CredentialsProvider } from './config.js';
import { type ResponseContext, s3ResponseError, transportError } from './errors.js';
import { createAgent, type HttpAgent, httpRequest } from './http.js';
import { movedAwsEndpoint } from './region-redirect.js';
import { S3RequestReport } from './request-events.js';
import { backoffDelay, sleep } from './retry.js';

/**
 * One signed S3 request with retries, sent with node:http over a keep-alive agent (http.ts; measured faster and
 * leaner than undici on this workload, README).
 */
export interface S3Request extends ResponseContext {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Object key relative to the bucket root, already prefixed; undefined for bucket operations. */
  fullKey?: string;
  /** Query parameters; a value of '' is sent as a bare flag (`?uploads`). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A buffer (signed with its sha256, resendable) or a one-shot stream (UNSIGNED-PAYLOAD, sent once). */
  body?: Uint8Array | string | AsyncIterable<Uint8Array>;
  /** For a stream: its x-amz-content-sha256 when not UNSIGNED-PAYLOAD (aws-chunked.ts's trailer form). */
  payloadHash?: string;
  signal?: AbortSignal | undefined;
  /** Read the whole response body as text (bounded) inside the retry loop; `validate` may reject it. */
  readText?: boolean;
  /** Runs on a successful text response inside the retry loop: throw a retryable AttError to retry. */
  validate?: (text: string, headers: IncomingHttpHeaders) => void;
}

export interface S3Response {
  statusCode: number;
  /** Attempts it took (1 = no retry): a retried request that creates something may have created it twice. */
  attempts: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  text: string;
  /** Whether the server checked the request body against a hash or checksum sent with it (checksum-policy.ts). */
  bodyChecked: boolean;
}

// Listings of 1000 long keys stay well under this; anything bigger is not an S3 XML answer we want in memory.
const MAX_TEXT_BYTES = 16 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function buildQuery(query: Record<string, string> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const value = query[name] as string;
    parts.push(value === '' ? encodeRfc3986(name) : `${encodeRfc3986(name)}=${encodeRfc3986(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

async function readText(body: IncomingMessage, limit: number, context: ResponseContext, truncate = false) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      if (truncate) return Buffer.concat(chunks).toString('utf8');
      throw new AttError('BACKEND_ERROR', `S3 ${context.operation}: response body larger than ${limit} bytes`, {
        details: { operation: context.operation },
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** The credential and scope part of @att/s3-sigv4's options, shared by signed requests and presigned URLs. */
export function signingOptions(creds: S3Credentials, region: string) {
  return {
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
    region,
    service: 's3',
  };
}

function isResendable(body: S3Request['body']): body is Uint8Array | string | undefined {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

export class S3Transport {
  readonly agent: HttpAgent;
  readonly #ownsAgent: boolean;
  readonly #credentials: S3CredentialsProvider;
  readonly #config: ResolvedConfig;
  /** Milliseconds to add to our clock to get the server's (learned from a RequestTimeTooSkewed answer). */
  clockOffset = 0;

  /** Per-operation headers added to every request (encryption.ts); undefined when none are configured. */
  readonly #headersFor: ((operation: string) => Record<string, string> | undefined) | undefined;

  constructor(
    config: ResolvedConfig,
    credentials: S3CredentialsProvider,
    agent: HttpAgent | undefined,
    headersFor?: (operation: string) => Record<string, string> | undefined,
  ) {
    this.#headersFor = headersFor;
    this.#config = config;
    this.checksums = new ChecksumPolicy(config.checksum, config.serverVerifiesChecksums);
    this.#credentials = credentials;
    this.#ownsAgent = agent === undefined;
    this.agent = agent ?? createAgent(config.endpoint.protocol);
  }

  /** `{ origin, path }` of a key (or of the bucket), path-style or virtual-hosted. Key must be encoded once. */
  address(encodedKey: string | undefined): { origin: string; path: string } {
    const { endpoint, basePath, bucket, forcePathStyle } = this.#config;
    const keyPath = encodedKey === undefined ? '' : `/${encodedKey}`;
    if (forcePathStyle) return { origin: endpoint.origin, path: `${basePath}/${bucket}${keyPath}` };
    return { origin: `${endpoint.protocol}//${bucket}.${endpoint.host}`, path: `${basePath}${keyPath || '/'}` };
  }

  #origins = new Map<string, URL>();

  #origin(origin: string): URL {
    let url = this.#origins.get(origin);
    if (!url) {
      url = new URL(origin);
      // One client talks to one endpoint (and one bucket host): this stays at one or two entries.
      if (this.#origins.size < 16) this.#origins.set(origin, url);
    }
    return url;
  }

  /** Attempts per resendable request (config.maxAttempts); also per key for DeleteObjects' per-key errors. */
  get maxAttempts(): number {
    return this.#config.maxAttempts;
  }

  /** The backoff before retry number `attempt` (1-based), per the config. */
  retryDelay(attempt: number, retryAfterMs?: number): number {
    return backoffDelay(attempt, this.#config.retryBaseDelay, this.#config.retryMaxDelay, retryAfterMs);
  }

  /** The server's time as far as we know it: signatures carry this, not our raw clock. */
  now(): Date {
    return new Date(Date.now() + this.clockOffset);
  }

  credentials(): ReturnType<S3CredentialsProvider> {
    return this.#credentials();
  }

  /** Sends `request`, retrying resendable ones on retryable failures; non-2xx answers become AttErrors. */
  async send(request: S3Request, encodedKey: string | undefined): Promise<S3Response> {
    const { maxAttempts, retryBaseDelay, retryMaxDelay } = this.#config;
    const resendable = isResendable(request.body);
    const attempts = resendable ? maxAttempts : 1;
    let clockCorrected = false;
    const report = S3RequestReport.begin(request.operation, request.method, this.#config.bucket);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.#attempt(request, encodedKey);
        response.attempts = attempt;
        report?.succeeded(response.statusCode, attempt);
        return response;
      } catch (err) {
        const error = transportError(err, request, request.signal);
        // Our clock is off (RequestTimeTooSkewed): take the server's from its Date header, keep the offset for
        // every later request, and resend once at once. A stream cannot be resent; the next request benefits.
        const serverTime = error.details?.serverTime as number | undefined;
        if (serverTime !== undefined) {
          this.clockOffset = serverTime - Date.now();
          if (resendable && !clockCorrected && !request.signal?.aborted) {
            clockCorrected = true;
            attempt--;
            report?.retry(error);
            continue;
          }
        }
        // A server that demands a checksum (Object Lock): from now on it gets one; a buffer goes again at once.
        if (this.checksums.demanded(error, request) && resendable && !request.signal?.aborted) {
          attempt--;
          report?.retry(error);
          continue;
        }
        // A server that refuses checksum headers (B2): remembered (so once per client), and the request goes again
        // at once without them, whatever maxAttempts says.
        if (resendable && !request.signal?.aborted && this.checksums.refusal(error)) {
          attempt--;
          report?.retry(error);
          continue;
        }
        if (this.#followRegion(error) && attempt < attempts) {
          report?.retry(error);
          continue;
        }
        if (attempt >= attempts || !error.retryable || request.signal?.aborted) {
          report?.failed(error, attempt);
          throw error;
        }
        report?.retry(error);
        const retryAfter = error.details?.retryAfterMs as number | undefined;
        await sleep(backoffDelay(attempt, retryBaseDelay, retryMaxDelay, retryAfter), request.signal);
      }
    }
  }

  /**
   * With followRegionRedirects, moves the client to the bucket's region (and the default AWS endpoint to that
   * region's) and says whether to resend. The config object is the client's: later requests and presigned URLs
   * use the new region too. Only once per region change, so two servers disagreeing cannot loop.
   */
  #followRegion(error: AttError): boolean {
    const region = error.details?.bucketRegion;
    const config = this.#config;
    if (!config.followRegionRedirects || typeof region !== 'string' || region === config.region) return false;
    const moved = movedAwsEndpoint(config.endpoint, config.region, region);
    if (moved) config.endpoint = moved;
    config.region = region;
    return true;
  }

  /** Upload checksums and what this client learned of the server's support for them (checksum-policy.ts). */
  readonly checksums: ChecksumPolicy;

  #headers(request: S3Request): Record<string, string> {
    const extra = this.#headersFor?.(request.operation);
    return this.checksums.prepare(request, extra ? { ...request.headers, ...extra } : (request.headers ?? {}));
  }

  async #attempt(request: S3Request, encodedKey: string | undefined): Promise<S3Response> {
    request.signal?.throwIfAborted();
    const { origin, path } = this.address(encodedKey);
    const fullPath = path + buildQuery(request.query);
    const creds = await this.#credentials();
    const body = request.body;
    const sent = this.#headers(request);
    // XML bodies are small and always signed; byte bodies per config.signPayload; streams cannot be hashed upfront.
    const signed = typeof body === 'string' || body === undefined || (isResendable(body) && this.#config.signPayload);
    const { headers } = signRequest(
      { method: request.method, url: origin + fullPath, headers: sent, ...(signed ? { body } : {}) },
      {
        ...signingOptions(creds, this.#config.region),
        signedPayload: request.payloadHash ?? signed,
        date: this.now(),
      },
    );
    if (typeof body === 'string' || body instanceof Uint8Array) {
      headers['content-length'] = String(Buffer.byteLength(body));
    } else if (body === undefined && (request.method === 'PUT' || request.method === 'POST')) {
      headers['content-length'] = '0';
    }
    const response = await httpRequest({
      origin: this.#origin(origin),
      path: fullPath,
      method: request.method,
      headers,
      body,
      agent: this.agent,
      timeout: this.#config.timeout,
      signal: request.signal,
    });
    const { statusCode } = response;
    if (statusCode < 200 || statusCode > 299) {
      const errorText =
        request.method === 'HEAD' ? '' : await readText(response.body, MAX_ERROR_BODY_BYTES, request, true);
      if (request.method === 'HEAD') response.body.resume();
      throw s3ResponseError(request, statusCode, response.headers, errorText);
    }
    this.checksums.learn(request.operation, sent, response.headers);
    const bodyChecked = this.checksums.bodyChecked(sent, response.headers, signed && body !== undefined);
    let text = '';
    if (request.readText) {
      text = await readText(response.body, MAX_TEXT_BYTES, request);
      request.validate?.(text, response.headers);
    }
    return { statusCode, attempts: 1, headers: response.headers, body: response.body, text, bodyChecked };
  }

  async close(): Promise<void> {
    if (this.#ownsAgent) this.agent.destroy();
  }
}
