// Wrong-region answers (301, 307, 400 AuthorizationHeaderMalformed, a bodiless HEAD 301) from a small fake S3 on
// loopback: the error says which region to configure; followRegionRedirects re-signs there and stays there.
// Also: contentType values outside RFC 9110's grammar fail before any request is sent.
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import type { S3ClientConfig } from '../src/index.js';
import { fakeS3Client, freshClient, readAll } from './helpers/clients.js';
import { type FakeAnswer, type RecordedRequest, useFakeEndpoints } from './support/fake-endpoint.js';
import { s3Server } from './support/servers.js';

const startFake = useFakeEndpoints();

type Mode = '301' | '307' | '400' | '301-bare';

function signedRegion(req: RecordedRequest): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(String(req.headers.authorization))?.[1];
}

/** A bucket that lives in eu-west-1 and answers requests signed for any other region the way AWS does. */
async function bucketInEuWest1(mode: Mode) {
  const fake = await startFake((req): FakeAnswer => {
    if (signedRegion(req) !== 'eu-west-1') {
      const header = { 'x-amz-bucket-region': 'eu-west-1', 'content-type': 'application/xml' };
      if (req.method === 'HEAD' || mode === '301-bare') return { status: 301, headers: header };
      if (mode === '301') {
        return {
          status: 301,
          headers: header,
          body: '<Error><Code>PermanentRedirect</Code><Message>use the endpoint</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint></Error>',
        };
      }
      if (mode === '307') return { status: 307, headers: { ...header, location: 'http://127.0.0.1:1/' } };
      return {
        status: 400,
        headers: { 'content-type': 'application/xml' },
        body: "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>",
      };
    }
    if (req.method === 'PUT') return { headers: { etag: '"e"' } };
    if (req.method === 'HEAD') return { headers: { 'content-length': '5', etag: '"e"' } };
    return { headers: { 'content-length': '5', etag: '"e"' }, body: 'hello' };
  });
  return fake;
}

const client = (endpoint: string, extra: Partial<S3ClientConfig> = {}) =>
  fakeS3Client(endpoint, { retryBaseDelay: 0, maxAttempts: 4, ...extra });

describe('wrong region', () => {
  for (const mode of ['301', '307', '400', '301-bare'] as const) {
    it(`${mode}: the error names the bucket's region as INVALID_CONFIG (field region), on PUT, GET and HEAD`, async () => {
      const fake = await bucketInEuWest1(mode);
      const c = client(fake.url);
      for (const call of [() => c.putObject('k', 'hello'), () => c.getObject('k'), () => c.headObject('k')]) {
        const err = await call().catch((e: unknown) => e);
        expect(isAttError(err, 'INVALID_CONFIG'), String(err)).toBe(true);
        expect((err as Error).message).toContain("set region: 'eu-west-1'");
        expect((err as { details: Record<string, unknown> }).details).toMatchObject({
          field: 'region',
          bucketRegion: 'eu-west-1',
        });
      }
      expect(fake.requests.length, 'a wrong-region answer is not retried without followRegionRedirects').toBe(3);
      await c.close();
    });
  }

  it('followRegionRedirects: re-signs for the bucket region once, then stays there (PUT, GET, HEAD)', async () => {
    const fake = await bucketInEuWest1('301');
    const c = client(fake.url, { followRegionRedirects: true });
    await c.putObject('k', 'hello');
    expect((await readAll((await c.getObject('k')).body)).toString()).toBe('hello');
    expect((await c.headObject('k')).size).toBe(5);
    expect(fake.requests.map((r) => `${r.method} ${signedRegion(r)}`)).toEqual([
      'PUT us-east-1',
      'PUT eu-west-1',
      'GET eu-west-1',
      'HEAD eu-west-1',
    ]);
    expect(c.config.region).toBe('eu-west-1');
    await c.close();
  });

  it('followRegionRedirects with a bodiless HEAD 301 works too', async () => {
    const fake = await bucketInEuWest1('301-bare');
    const c = client(fake.url, { followRegionRedirects: true });
    expect((await c.headObject('k')).size).toBe(5);
    expect(fake.requests.map((r) => signedRegion(r))).toEqual(['us-east-1', 'eu-west-1']);
    await c.close();
  });

  it('a redirect without any region hint is still explained, not "empty response"', async () => {
    const fake = await startFake(() => ({ status: 301 }));
    const c = client(fake.url);
    const err = await c.headObject('k').catch((e: unknown) => e);
    expect(isAttError(err, 'BACKEND_ERROR')).toBe(true);
    expect((err as Error).message).toContain('redirect');
    await c.close();
  });
});

describe('contentType validation', () => {
  const bad = [
    'text/plàin',
    'text/plain\r\nx-evil: 1',
    'text',
    'text/plain; charset',
    '/plain',
    'a b/c',
    'text/plain; x="unterminated',
  ];
  const good = [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/vnd.a+json;v=1',
    'text/plain; name="a \\"b\\" c"',
  ];

  it('rejects values outside RFC 9110 with INVALID_REQUEST before any request', async () => {
    const fake = await startFake(() => ({ headers: { etag: '"e"' } }));
    const c = client(fake.url);
    for (const contentType of bad) {
      const err = await c.putObject('k', 'x', { contentType }).catch((e: unknown) => e);
      expect(isAttError(err, 'INVALID_REQUEST'), `${JSON.stringify(contentType)} → ${String(err)}`).toBe(true);
      await expect(c.presignPutUrl('k', { expiresIn: 60, contentType })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
    }
    expect(fake.requests, 'nothing was sent for an invalid content type').toHaveLength(0);
    await c.close();
  });

  it('valid media types round-trip through Swift exactly', async () => {
    const swift = s3Server('swift');
    const { client: c } = await freshClient(swift, 'ctype');
    for (const [i, contentType] of good.entries()) {
      await c.putObject(`t${i}`, 'x', { contentType });
      expect((await c.headObject(`t${i}`)).contentType).toBe(contentType);
    }
    await c.close();
  });
});
