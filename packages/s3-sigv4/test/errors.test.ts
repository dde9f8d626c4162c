// Bad input never yields a signature: it throws SigV4Error with a stable code, and the secret never leaks.
import { describe, expect, it } from 'vitest';
import {
  encodeKey,
  isSigV4Error,
  type PresignOptions,
  presignUrl,
  SIGV4_ERROR_CODES,
  type SignOptions,
  SigV4Error,
  signRequest,
} from '../src/index.js';

const SECRET = 'sEcReT/ShouldNeverLeak+0123456789abcdefXYZ';
const TOKEN = 'TokenThatMustNotLeak==';
const good: PresignOptions = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: SECRET,
  sessionToken: TOKEN,
  region: 'us-east-1',
  service: 's3',
  date: new Date('2024-01-02T03:04:05Z'),
  expiresIn: 3600,
};
const request = { method: 'GET', url: 'https://bucket.s3.amazonaws.com/key' };

/** Run both entry points and return the error; fails the test if either signs. */
function failures(req: typeof request | Record<string, unknown>, opts: Record<string, unknown>): SigV4Error[] {
  const errors: SigV4Error[] = [];
  for (const run of [
    () => signRequest(req as typeof request, opts as unknown as SignOptions),
    () => presignUrl(req as typeof request, opts as unknown as PresignOptions),
  ]) {
    try {
      run();
      expect.unreachable('signed bad input');
    } catch (error) {
      expect(error).toBeInstanceOf(SigV4Error);
      errors.push(error as SigV4Error);
    }
  }
  return errors;
}

function expectNoSecret(error: SigV4Error): void {
  const surfaces = [error.message, String(error), error.stack ?? '', JSON.stringify(error)];
  for (const text of surfaces) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
  }
}

const optionCases: [string, Record<string, unknown>, string][] = [
  ['empty accessKeyId', { accessKeyId: '' }, 'INVALID_CREDENTIALS'],
  ['missing accessKeyId', { accessKeyId: undefined }, 'INVALID_CREDENTIALS'],
  ['accessKeyId with "/"', { accessKeyId: 'AKID/EXAMPLE' }, 'INVALID_CREDENTIALS'],
  ['empty secret', { secretAccessKey: '' }, 'INVALID_CREDENTIALS'],
  ['numeric secret', { secretAccessKey: 12345 }, 'INVALID_CREDENTIALS'],
  ['empty session token', { sessionToken: '' }, 'INVALID_CREDENTIALS'],
  ['empty region', { region: '' }, 'INVALID_REGION'],
  ['region with a slash', { region: 'us-east-1/x' }, 'INVALID_REGION'],
  ['region with a space', { region: 'us east' }, 'INVALID_REGION'],
  ['empty service', { service: '' }, 'INVALID_SERVICE'],
  ['missing service', { service: undefined }, 'INVALID_SERVICE'],
  ['invalid date', { date: new Date(Number.NaN) }, 'INVALID_DATE'],
  ['date that is a string', { date: '2024-01-01' }, 'INVALID_DATE'],
  ['date beyond year 9999', { date: new Date(Date.UTC(10000, 0, 1)) }, 'INVALID_DATE'],
  ['signedPayload that is empty', { signedPayload: '' }, 'INVALID_REQUEST'],
  ['signedPayload that is a number', { signedPayload: 1 }, 'INVALID_REQUEST'],
];

describe('invalid options', () => {
  for (const [name, patch, code] of optionCases) {
    it(`${name} → ${code}`, () => {
      for (const error of failures(request, { ...good, ...patch })) {
        expect(error.code).toBe(code);
        expect(isSigV4Error(error)).toBe(true);
        expectNoSecret(error);
      }
    });
  }

  it('missing options object → INVALID_CREDENTIALS', () => {
    expect(() => signRequest(request, undefined as unknown as SignOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_CREDENTIALS' }),
    );
  });
});

describe('expiresIn outside 1..604800 or not an integer → INVALID_EXPIRES', () => {
  for (const expiresIn of [0, -1, 604801, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3600', undefined]) {
    it(String(expiresIn), () => {
      try {
        presignUrl(request, { ...good, expiresIn } as unknown as PresignOptions);
        expect.unreachable('presigned with a bad expiry');
      } catch (error) {
        expect((error as SigV4Error).code).toBe('INVALID_EXPIRES');
        expectNoSecret(error as SigV4Error);
      }
    });
  }

  it('accepts both bounds', () => {
    expect(presignUrl(request, { ...good, expiresIn: 1 })).toContain('X-Amz-Expires=1&');
    expect(presignUrl(request, { ...good, expiresIn: 604800 })).toContain('X-Amz-Expires=604800&');
  });
});

const badUrls: [string, unknown][] = [
  ['empty', ''],
  ['not a string', 42],
  ['relative', '/bucket/key'],
  ['no scheme', 'bucket.s3.amazonaws.com/key'],
  ['ftp scheme', 'ftp://host/key'],
  ['empty host', 'https:///key'],
  ['userinfo', `https://AKID:${SECRET}@host/key`],
  ['space in host', 'https://ex ample.com/'],
  ['port zero', 'https://host:0/'],
  ['port too large', 'https://host:65536/'],
  ['port not numeric', 'https://host:9x/'],
  ['empty port', 'https://host:/'],
  ['newline in path', 'https://host/a\nb'],
  ['NUL in path', 'https://host/a\u0000b'],
  ['control character in query', 'https://host/k?a=\u0001'],
  ['DEL in fragment', 'https://host/k#\u007f'],
  ['newline in host', 'https://ho\nst/k'],
  ['bad percent escape in query', 'https://host/key?a=%zz'],
  ['truncated escape in query', 'https://host/key?a=%E1%88'],
  ['unbalanced IPv6 host', 'https://[::1/'],
];

describe('malformed url → INVALID_URL', () => {
  for (const [name, url] of badUrls) {
    it(name, () => {
      for (const error of failures({ ...request, url }, { ...good })) {
        expect(error.code).toBe('INVALID_URL');
        expectNoSecret(error);
      }
    });
  }

  it('presign refuses a url that is already presigned', () => {
    const url = presignUrl(request, good);
    expect(() => presignUrl({ ...request, url }, good)).toThrow(expect.objectContaining({ code: 'INVALID_URL' }));
  });
});

describe('malformed request → INVALID_REQUEST', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['empty method', { method: '' }],
    ['method with a space', { method: 'G ET' }],
    ['header name with a space', { headers: { 'x amz': '1' } }],
    ['header name with a colon', { headers: { 'x:y': '1' } }],
    ['empty header name', { headers: { '': '1' } }],
    ['header value that is an object', { headers: { 'x-a': {} } }],
    ['headers that are a string', { headers: 'host: x' }],
    ['headers that are a fetch Headers', { headers: new Headers({ 'x-a': '1' }) }],
    ['headers that are a Map', { headers: new Map([['x-a', '1']]) }],
    ['header value that is an array', { headers: { 'x-a': ['1', '2'] } }],
    ['body that is a number', { body: 12 }],
  ];
  for (const [name, patch] of cases) {
    it(name, () => {
      // body is only read when it is hashed: use the default S3 header mode for signRequest.
      try {
        signRequest({ ...request, ...patch } as typeof request, good);
        expect.unreachable('signed a malformed request');
      } catch (error) {
        expect((error as SigV4Error).code).toBe('INVALID_REQUEST');
        expectNoSecret(error as SigV4Error);
      }
    });
  }

  it('encodeKey rejects lone surrogates', () => {
    expect(() => encodeKey('a\ud800b')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('SigV4Error', () => {
  it('has stable codes, a name and a safe JSON form', () => {
    expect(Object.keys(SIGV4_ERROR_CODES).sort()).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_DATE',
      'INVALID_EXPIRES',
      'INVALID_REGION',
      'INVALID_REQUEST',
      'INVALID_SERVICE',
      'INVALID_URL',
    ]);
    const error = new SigV4Error('INVALID_URL', 'invalid url: empty host');
    expect(error.name).toBe('SigV4Error');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'SigV4Error',
      code: 'INVALID_URL',
      message: 'invalid url: empty host',
    });
    expect(isSigV4Error(new Error('x'))).toBe(false);
  });
});
