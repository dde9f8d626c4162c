// Differential property test: thousands of random S3 requests signed by this package and by
// @smithy/signature-v4 (what the AWS SDK for JavaScript uses) must produce identical signatures.
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { seededRandom as prng } from '../../../scripts/seeded-random.mjs';
import { presignUrl, signRequest } from '../src/index.js';
import { type RandomRequest, randomRequest, urlOf } from './random-requests.js';

const SEED = 0x5eed2024;
const COUNT = 3000;
const accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const Sha256 = Hash.bind(null, 'sha256');

function smithySigner(r: RandomRequest): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey, ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}) },
    region: r.region,
    service: 's3',
    sha256: Sha256 as never,
    uriEscapePath: false, // what the S3 client configures: the path is already encoded once
  });
}

/** The payload hash smithy should see, as a header, for our `signedPayload` option (undefined: let it hash). */
function smithyPayloadHeader(r: RandomRequest, presign: boolean): string | undefined {
  if (r.signedPayload === false) return 'UNSIGNED-PAYLOAD';
  if (typeof r.signedPayload === 'string') return r.signedPayload;
  if (presign && r.signedPayload === undefined) return 'UNSIGNED-PAYLOAD'; // S3 presigned default
  return undefined;
}

function smithyRequest(r: RandomRequest, extraHeaders: Record<string, string>): HttpRequest {
  const host = r.port === undefined ? r.hostname : `${r.hostname}:${r.port}`;
  return new HttpRequest({
    method: r.method,
    protocol: r.protocol,
    hostname: r.hostname,
    ...(r.port === undefined ? {} : { port: r.port }),
    path: r.path,
    query: r.query,
    headers: { ...r.headers, host, ...extraHeaders },
    ...(r.body === undefined ? {} : { body: r.body }),
  });
}

function lowercased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** Query parameters decoded and sorted: presigned urls may order them differently and still be equal. */
function decodedParams(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  return url
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const k = decodeURIComponent(eq === -1 ? p : p.slice(0, eq));
      return `${k}=${eq === -1 ? '' : decodeURIComponent(p.slice(eq + 1))}`;
    })
    .sort();
}

function smithyParams(query: Record<string, string | string[] | null>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v ?? '']) out.push(`${k}=${item}`);
  }
  return out.sort();
}

describe(`differential against @smithy/signature-v4 (seed ${SEED}, ${COUNT} requests)`, () => {
  it('signRequest: same Authorization and same headers', async () => {
    const rand = prng(SEED);
    for (let i = 0; i < COUNT; i++) {
      const r = randomRequest(rand);
      const options = {
        accessKeyId,
        secretAccessKey,
        ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}),
        region: r.region,
        service: 's3',
        date: r.date,
        ...(r.signedPayload === undefined ? {} : { signedPayload: r.signedPayload }),
      };
      const mine = signRequest(
        { method: r.method, url: urlOf(r), headers: r.headers, ...(r.body === undefined ? {} : { body: r.body }) },
        options,
      );
      const payloadHeader = smithyPayloadHeader(r, false);
      const theirs = await smithySigner(r).sign(
        smithyRequest(r, payloadHeader === undefined ? {} : { 'x-amz-content-sha256': payloadHeader }),
        { signingDate: r.date },
      );
      const context = `seed ${SEED} request #${i}: ${r.method} ${urlOf(r)}`;
      expect(mine.headers.authorization, context).toBe(theirs.headers.authorization);
      expect(lowercased(mine.headers), context).toEqual(lowercased(theirs.headers as Record<string, string>));
    }
  });

  it('presignUrl: same signature and same query parameters', async () => {
    const rand = prng(SEED ^ 0xabcdef);
    for (let i = 0; i < COUNT; i++) {
      const r = randomRequest(rand);
      const options = {
        accessKeyId,
        secretAccessKey,
        ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}),
        region: r.region,
        service: 's3',
        date: r.date,
        expiresIn: r.expiresIn,
        ...(r.signedPayload === undefined ? {} : { signedPayload: r.signedPayload }),
      };
      // presign never hashes a body for S3 unless asked (signedPayload: true); keep the cases aligned.
      const body = r.signedPayload === true ? r.body : undefined;
      const url = presignUrl(
        { method: r.method, url: urlOf(r), headers: r.headers, ...(body === undefined ? {} : { body }) },
        options,
      );
      const payloadHeader = smithyPayloadHeader(r, true);
      const given = new Set(Object.keys(r.headers).map((h) => h.toLowerCase()));
      const theirs = await smithySigner(r).presign(
        smithyRequest({ ...r, body }, payloadHeader === undefined ? {} : { 'x-amz-content-sha256': payloadHeader }),
        {
          signingDate: r.date,
          expiresIn: r.expiresIn,
          // Keep x-amz-* headers as signed headers (we never hoist them) and leave the payload-hash marker unsigned.
          unhoistableHeaders: new Set([...given, 'x-amz-content-sha256']),
          unsignableHeaders: new Set(['x-amz-content-sha256']),
        },
      );
      const context = `seed ${SEED ^ 0xabcdef} request #${i}: ${r.method} ${urlOf(r)}`;
      expect(decodedParams(url), context).toEqual(smithyParams(theirs.query as Record<string, string | string[]>));
    }
  });
});

describe(`differential against @smithy/signature-v4 for non-S3 services (seed ${SEED})`, () => {
  it('signRequest: normalised, double-encoded paths agree', async () => {
    const rand = prng(SEED ^ 0x1234);
    for (let i = 0; i < 1000; i++) {
      const r = randomRequest(rand);
      const service = ['execute-api', 'sts', 'es'][i % 3]!;
      const signBody = rand() < 0.5;
      const options = {
        accessKeyId,
        secretAccessKey,
        ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}),
        region: r.region,
        service,
        date: r.date,
        ...(signBody ? { signedPayload: true } : {}),
      };
      const mine = signRequest(
        { method: r.method, url: urlOf(r), headers: r.headers, ...(r.body === undefined ? {} : { body: r.body }) },
        options,
      );
      const signer = new SignatureV4({
        credentials: { accessKeyId, secretAccessKey, ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}) },
        region: r.region,
        service,
        sha256: Sha256 as never,
        applyChecksum: signBody, // without signedPayload other services sign the body hash but send no header
      });
      const theirs = await signer.sign(smithyRequest(r, {}), { signingDate: r.date });
      const context = `seed ${SEED ^ 0x1234} request #${i}: ${service} ${r.method} ${urlOf(r)}`;
      expect(mine.headers.authorization, context).toBe(theirs.headers.authorization);
    }
  });
});
