// Every vector of AWS's SigV4 test suite, as vendored by aws-c-auth (header and presigned forms, normalised and
// -unnormalized) and by botocore: canonical request, string to sign and signature must match byte for byte.
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PresignOptions, type SignOptions, signRequest } from '../src/index.js';
import { presignUrlDetailed } from '../src/presign.js';
import { signRequestDetailed } from '../src/sign.js';
import { findVectorDirs, has, parseAmzDate, parseRawRequest, read, VECTORS_DIR } from './vector-files.js';

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

/** Query parameters of a request line, decoded, sorted — order in the url does not matter to AWS. */
function queryParams(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  return url
    .slice(q + 1)
    .split('&')
    .map((p) => decodeURIComponent(p))
    .sort();
}

const cAuthDirs = findVectorDirs(join(VECTORS_DIR, 'aws-c-auth', 'v4'), (d) => has(join(d, 'context.json')));
const botocoreDirs = findVectorDirs(join(VECTORS_DIR, 'botocore', 'aws4_testsuite'), (d) =>
  has(join(d, `${basename(d)}.req`)),
);

describe('aws-c-auth v4 suite', () => {
  it('is vendored completely', () => {
    expect(cAuthDirs.length).toBe(38);
  });

  for (const dir of cAuthDirs) {
    const name = basename(dir);
    const ctx = JSON.parse(read(join(dir, 'context.json'))) as Context;
    const raw = parseRawRequest(read(join(dir, 'request.txt')));
    const file = (f: string) => read(join(dir, f));
    // "omit_session_token": the token is added after signing (post-sts-header-after), so sign without it.
    const token = ctx.omit_session_token ? undefined : ctx.credentials.token;
    const options: SignOptions = {
      accessKeyId: ctx.credentials.access_key_id,
      secretAccessKey: ctx.credentials.secret_access_key,
      ...(token === undefined ? {} : { sessionToken: token }),
      region: ctx.region,
      service: ctx.service,
      date: new Date(ctx.timestamp),
      normalizePath: ctx.normalize,
      ...(ctx.sign_body ? { signedPayload: true } : {}),
    };
    const request = {
      method: raw.method,
      url: `https://${raw.host}${raw.target}`,
      headers: raw.headers,
      ...(raw.body ? { body: raw.body } : {}),
    };

    it(`${name} (header)`, () => {
      const { headers, parts } = signRequestDetailed(request, options);
      expect(parts.canonicalRequest).toBe(file('header-canonical-request.txt'));
      expect(parts.stringToSign).toBe(file('header-string-to-sign.txt'));
      expect(parts.signature).toBe(file('header-signature.txt').trim());
      const expected = parseRawRequest(file('header-signed-request.txt')).headers;
      expect(headers.authorization).toBe(expected.Authorization);
      expect(headers['x-amz-date']).toBe(expected['X-Amz-Date']);
    });

    it(`${name} (presigned)`, () => {
      const presign: PresignOptions = { ...options, expiresIn: ctx.expiration_in_seconds };
      const { url, parts } = presignUrlDetailed(request, presign);
      expect(parts.canonicalRequest).toBe(file('query-canonical-request.txt'));
      expect(parts.stringToSign).toBe(file('query-string-to-sign.txt'));
      expect(parts.signature).toBe(file('query-signature.txt').trim());
      const expected = parseRawRequest(file('query-signed-request.txt'));
      let expectedParams = queryParams(expected.target);
      if (ctx.omit_session_token) expectedParams = expectedParams.filter((p) => !p.startsWith('X-Amz-Security-Token='));
      expect(queryParams(url)).toEqual(expectedParams);
    });
  }
});

describe('botocore aws4_testsuite', () => {
  it('is vendored completely', () => {
    expect(botocoreDirs.length).toBe(34);
  });

  for (const dir of botocoreDirs) {
    const name = basename(dir);
    const file = (ext: string) => read(join(dir, `${name}${ext}`));
    it(name, () => {
      const raw = parseRawRequest(file('.req'));
      const dateHeader = Object.keys(raw.headers).find((h) => h.toLowerCase() === 'x-amz-date')!;
      const tokenHeader = Object.keys(raw.headers).find((h) => h.toLowerCase() === 'x-amz-security-token');
      const creq = file('.creq');
      const headers = { ...raw.headers };
      // The token is signed only where the expected canonical request lists it (get-vanilla-with-session-token,
      // post-sts-header-before); post-sts-header-after adds it after signing, so it is not passed there.
      const tokenLine = creq.split('\n').find((l) => l.startsWith('x-amz-security-token:'));
      const sessionToken = tokenLine?.slice('x-amz-security-token:'.length);
      if (tokenHeader !== undefined) delete headers[tokenHeader];
      const options: SignOptions = {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        ...(sessionToken === undefined ? {} : { sessionToken }),
        region: 'us-east-1',
        service: 'service',
        date: parseAmzDate(raw.headers[dateHeader]!.trim()),
      };
      const request = {
        method: raw.method,
        url: `https://${raw.host}${raw.target}`,
        headers,
        ...(raw.body ? { body: raw.body } : {}),
      };
      const { headers: signed, parts } = signRequestDetailed(request, options);
      expect(parts.canonicalRequest).toBe(creq);
      expect(parts.stringToSign).toBe(file('.sts'));
      expect(signed.authorization).toBe(file('.authz'));
      expect(signRequest(request, options).headers.authorization).toBe(file('.authz'));
    });
  }
});
