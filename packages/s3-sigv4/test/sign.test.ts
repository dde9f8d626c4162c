// The signer's rules that the vectors do not pin down on their own: host and port, which headers come back,
// payload modes, presign parameters, helpers and the signing-key cache.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clearSigningKeyCache,
  EMPTY_SHA256,
  encodeKey,
  encodeRfc3986,
  presignUrl,
  type SignOptions,
  sha256Hex,
  signRequest,
} from '../src/index.js';
import { presignUrlDetailed } from '../src/presign.js';
import { signRequestDetailed } from '../src/sign.js';
import { signingKeyCacheSize } from '../src/signing-key.js';

const s3: SignOptions = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 's3',
  date: new Date('2024-05-06T07:08:09Z'),
};
const other: SignOptions = { ...s3, service: 'execute-api' };
const creqLines = (url: string, options: SignOptions = s3, extra: object = {}) =>
  signRequestDetailed({ method: 'GET', url, ...extra }, options).parts.canonicalRequest.split('\n');

describe('host (rule 1)', () => {
  it('keeps a non-default port, drops the default one, lowercases the name', () => {
    expect(signRequest({ method: 'GET', url: 'http://127.0.0.1:9000/b/k' }, s3).headers.host).toBe('127.0.0.1:9000');
    expect(signRequest({ method: 'GET', url: 'http://Example.COM:80/k' }, s3).headers.host).toBe('example.com');
    expect(signRequest({ method: 'GET', url: 'https://example.com:443/k' }, s3).headers.host).toBe('example.com');
    expect(signRequest({ method: 'GET', url: 'https://example.com:80/k' }, s3).headers.host).toBe('example.com:80');
    expect(signRequest({ method: 'GET', url: 'http://[::1]:9000/k' }, s3).headers.host).toBe('[::1]:9000');
  });

  it('ignores a caller Host header in favour of the url', () => {
    const { headers } = signRequest({ method: 'GET', url: 'http://a.test/k', headers: { Host: 'b.test' } }, s3);
    expect(headers.host).toBe('a.test');
    expect(headers.Host).toBeUndefined();
  });
});

describe('path (rules 2 and 3)', () => {
  it('takes the path verbatim for s3', () => {
    expect(creqLines('https://h/a//b/../c%20d/%3A')[1]).toBe('/a//b/../c%20d/%3A');
    expect(creqLines('https://h')[1]).toBe('/');
    expect(creqLines('https://h?x=1')[1]).toBe('/');
    expect(creqLines('https://h/k#frag')[1]).toBe('/k');
  });

  it('normalises and escapes again for other services', () => {
    expect(creqLines('https://h/a//b/../c%20d/%3A', other)[1]).toBe('/a/c%2520d/%253A');
    expect(creqLines('https://h/a/./b/', other)[1]).toBe('/a/b/');
    expect(creqLines('https://h/a/b/..', { ...other, normalizePath: false })[1]).toBe('/a/b/..');
    expect(creqLines('https://h/a b', { ...s3, uriEscapePath: true })[1]).toBe('/a%20b');
  });
});

describe('query (rule 4)', () => {
  it('decodes, re-encodes, sorts by key then value, and gives bare keys an "="', () => {
    expect(creqLines('https://h/?b=2&a=2&a=1&uploads&c=x+y&d=%7e&e=a%20b&f=%2A')[2]).toBe(
      'a=1&a=2&b=2&c=x%2By&d=~&e=a%20b&f=%2A&uploads=',
    );
    expect(creqLines('https://h/?&&a=1&')[2]).toBe('a=1');
    expect(creqLines('https://h/?a=b=c')[2]).toBe('a=b%3Dc');
  });
});

describe('headers (rule 5) and payload (rule 6)', () => {
  const url = 'https://bucket.s3.amazonaws.com/k';

  it('returns the caller headers plus host, x-amz-date, x-amz-content-sha256 and authorization', () => {
    const { headers } = signRequest(
      { method: 'PUT', url, headers: { 'Content-Type': 'text/plain', 'X-Amz-Meta-A': '  two   words ' }, body: 'hi' },
      s3,
    );
    expect(Object.keys(headers)).toEqual([
      'Content-Type',
      'X-Amz-Meta-A',
      'host',
      'x-amz-date',
      'x-amz-content-sha256',
      'authorization',
    ]);
    expect(headers['x-amz-date']).toBe('20240506T070809Z');
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update('hi').digest('hex'));
    expect(headers.authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-a,',
    );
    const lines = signRequestDetailed(
      { method: 'PUT', url, headers: { 'X-Amz-Meta-A': '  two   words ' } },
      s3,
    ).parts.canonicalRequest.split('\n');
    expect(lines).toContain('x-amz-meta-a:two words');
  });

  it('adds and signs x-amz-security-token when a session token is given', () => {
    const { headers } = signRequest({ method: 'GET', url }, { ...s3, sessionToken: 'tok' });
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
  });

  it('replaces caller authorization / x-amz-date instead of signing them', () => {
    const { headers } = signRequest(
      { method: 'GET', url, headers: { Authorization: 'old', 'X-Amz-Date': '19990101T000000Z' } },
      s3,
    );
    expect(headers.Authorization).toBeUndefined();
    expect(headers['X-Amz-Date']).toBeUndefined();
    expect(headers['x-amz-date']).toBe('20240506T070809Z');
  });

  it('signs the body hash without a header for other services unless signedPayload is set', () => {
    const plain = signRequestDetailed({ method: 'POST', url, body: 'abc' }, other);
    expect(plain.headers['x-amz-content-sha256']).toBeUndefined();
    expect(plain.parts.canonicalRequest.endsWith(`\n${sha256Hex('abc')}`)).toBe(true);
    const sent = signRequestDetailed({ method: 'POST', url, body: 'abc' }, { ...other, signedPayload: true });
    expect(sent.headers['x-amz-content-sha256']).toBe(sha256Hex('abc'));
  });

  it('signedPayload false → UNSIGNED-PAYLOAD, a string → used verbatim, a caller header → used', () => {
    const unsigned = signRequestDetailed({ method: 'PUT', url, body: 'x' }, { ...s3, signedPayload: false });
    expect(unsigned.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(unsigned.parts.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
    const given = signRequest({ method: 'PUT', url }, { ...s3, signedPayload: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' });
    expect(given.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    const header = signRequest({ method: 'PUT', url, headers: { 'X-Amz-Content-SHA256': 'abc123' } }, s3);
    expect(header.headers['x-amz-content-sha256']).toBe('abc123');
    expect(header.headers['X-Amz-Content-SHA256']).toBeUndefined();
  });

  it('hashes Uint8Array bodies like the equivalent string', () => {
    const bytes = new TextEncoder().encode('héllo');
    const a = signRequest({ method: 'PUT', url, body: bytes }, s3).headers;
    const b = signRequest({ method: 'PUT', url, body: 'héllo' }, s3).headers;
    expect(a.authorization).toBe(b.authorization);
  });

  it('upper-cases the methods fetch() upper-cases, leaves others alone', () => {
    expect(creqLines(url, s3, { method: 'get' })[0]).toBe('GET');
    expect(creqLines(url, s3, { method: 'patch' })[0]).toBe('patch');
  });
});

describe('presignUrl (rule 7)', () => {
  it('keeps the url query, adds the X-Amz-* parameters in order, signs the token', () => {
    const url = presignUrl(
      { method: 'GET', url: 'https://b.s3.amazonaws.com/a%20b?response-content-type=text%2Fplain#frag' },
      { ...s3, sessionToken: 'to/ken', expiresIn: 60 },
    );
    const [base, query] = url.split('?') as [string, string];
    expect(base).toBe('https://b.s3.amazonaws.com/a%20b');
    expect(query.split('&').map((p) => p.split('=')[0])).toEqual([
      'response-content-type',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-Security-Token',
      'X-Amz-SignedHeaders',
      'X-Amz-Signature',
    ]);
    expect(query).toContain('X-Amz-Security-Token=to%2Fken&');
    expect(query).not.toContain('X-Amz-Content-Sha256');
  });

  it('lists host plus every given header in X-Amz-SignedHeaders and signs UNSIGNED-PAYLOAD for s3', () => {
    const { url, parts } = presignUrlDetailed(
      {
        method: 'PUT',
        url: 'http://127.0.0.1:9000/b/k',
        headers: { 'Content-Type': 'image/png', 'x-amz-acl': 'private' },
      },
      { ...s3, expiresIn: 900 },
    );
    expect(url).toContain('X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-acl&');
    expect(parts.canonicalRequest.endsWith('\ncontent-type;host;x-amz-acl\nUNSIGNED-PAYLOAD')).toBe(true);
    expect(url.startsWith('http://127.0.0.1:9000/b/k?X-Amz-Algorithm=')).toBe(true);
  });

  it('adds a path when the url has none', () => {
    expect(presignUrl({ method: 'GET', url: 'https://h' }, { ...s3, expiresIn: 1 })).toMatch(/^https:\/\/h\/\?X-Amz-/);
  });
});

describe('helpers', () => {
  it('encodeKey keeps "/" and encodes everything outside A-Za-z0-9-._~', () => {
    expect(encodeKey('photos/a b+c.jpg')).toBe('photos/a%20b%2Bc.jpg');
    expect(encodeKey("!'()*~é😀")).toBe('%21%27%28%29%2A~%C3%A9%F0%9F%98%80');
    expect(encodeKey('plain/key-1_2.3~')).toBe('plain/key-1_2.3~');
    expect(encodeRfc3986('a/b c')).toBe('a%2Fb%20c');
  });

  it('sha256Hex hashes strings as UTF-8 and bytes as bytes', () => {
    expect(sha256Hex('')).toBe(EMPTY_SHA256);
    expect(sha256Hex(new Uint8Array(0))).toBe(EMPTY_SHA256);
    expect(sha256Hex('é')).toBe(createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
    expect(sha256Hex(new Uint8Array([1, 2, 3]))).toBe(
      createHash('sha256')
        .update(Buffer.from([1, 2, 3]))
        .digest('hex'),
    );
  });

  it('formats the current time when no date is given', () => {
    const { headers } = signRequest({ method: 'GET', url: 'https://h/' }, { ...s3, date: undefined });
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });
});

describe('signing-key cache', () => {
  it('stays bounded and gives the same signatures cached or not', () => {
    clearSigningKeyCache();
    const first = signRequest({ method: 'GET', url: 'https://h/' }, s3).headers.authorization;
    expect(signRequest({ method: 'GET', url: 'https://h/' }, s3).headers.authorization).toBe(first);
    for (let i = 0; i < 300; i++)
      signRequest({ method: 'GET', url: 'https://h/' }, { ...s3, secretAccessKey: `s${i}` });
    expect(signingKeyCacheSize()).toBeLessThanOrEqual(128);
    clearSigningKeyCache();
    expect(signingKeyCacheSize()).toBe(0);
    expect(signRequest({ method: 'GET', url: 'https://h/' }, s3).headers.authorization).toBe(first);
  });
});
