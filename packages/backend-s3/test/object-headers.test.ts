// Encryption and object headers: which request carries which header (a recording fake S3 on loopback, checking
// each header is also signed), the secrets involved never shown, bad values refused before any request, and the
// stored headers read back through the AWS SDK on the servers that keep them.
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { isAttError } from '@att/store-core';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { S3ClientConfig } from '../src/index.js';
import { fakeS3Client, freshClient, MiB, readAll } from './helpers/clients.js';
import { type FakeAnswer, type RecordedRequest, useFakeEndpoints } from './support/fake-endpoint.js';
import { s3Servers, sdkClient } from './support/servers.js';

const startFake = useFakeEndpoints();

/** Answers like S3 for put, multipart, get and head; records everything. */
async function recordingS3() {
  const fake = await startFake((req): FakeAnswer => {
    if (req.method === 'POST' && req.url.endsWith('?uploads')) {
      return { body: '<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>' };
    }
    if (req.method === 'POST')
      return { body: '<CompleteMultipartUploadResult><ETag>"m-2"</ETag></CompleteMultipartUploadResult>' };
    if (req.method === 'PUT') return { headers: { etag: `"${createHash('md5').update(req.body).digest('hex')}"` } };
    return { headers: { 'content-length': '5', etag: '"e"' }, body: req.method === 'GET' ? 'hello' : '' };
  });
  return fake;
}

function operation(req: RecordedRequest): string {
  if (req.method === 'POST') return req.url.endsWith('?uploads') ? 'Create' : 'Complete';
  if (req.method === 'PUT') return req.url.includes('partNumber=') ? 'UploadPart' : 'PutObject';
  return req.method;
}

/** The x-amz-server-side-encryption* headers of a request, each checked to be in SignedHeaders. */
function sseHeaders(req: RecordedRequest): Record<string, string> {
  const signed = /SignedHeaders=([^,]+)/.exec(String(req.headers.authorization))?.[1]?.split(';') ?? [];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (
      !name.startsWith('x-amz-server-side-encryption') &&
      !['cache-control', 'content-disposition', 'x-amz-acl'].includes(name)
    )
      continue;
    expect(signed, `${name} must be signed`).toContain(name);
    out[name] = String(value);
  }
  return out;
}

const client = fakeS3Client;

const sixMiB = Buffer.alloc(6 * MiB, 1);

describe('server-side encryption headers', () => {
  it('SSE-KMS: key id, context and bucket key on PutObject and CreateMultipartUpload only', async () => {
    const fake = await recordingS3();
    const c = client(fake.url, {
      serverSideEncryption: 'aws:kms',
      kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/abc',
      kmsContext: { tenant: 't1' },
      bucketKey: true,
    });
    await c.putObject('small', 'hello');
    await c.putObject('big', sixMiB);
    const expected = {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:1:key/abc',
      'x-amz-server-side-encryption-context': Buffer.from('{"tenant":"t1"}').toString('base64'),
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
    };
    const seen = fake.requests.map((r) => [operation(r), sseHeaders(r)]);
    expect(seen).toEqual([
      ['PutObject', expected],
      ['Create', expected],
      ['UploadPart', {}],
      ['UploadPart', {}],
      ['Complete', {}],
    ]);
    await c.close();
  });

  it('SSE-C: algorithm, key and key MD5 on put, create, parts, get and head — not on complete; the key never shown', async () => {
    const fake = await recordingS3();
    const key = Buffer.alloc(32, 9);
    const c = client(fake.url, { sseCustomerKey: key.toString('base64') });
    await c.putObject('small', 'hello');
    await c.putObject('big', sixMiB);
    expect((await readAll((await c.getObject('small')).body)).toString()).toBe('hello');
    await c.headObject('small');
    const customer = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key.toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
    };
    expect(fake.requests.map((r) => [operation(r), sseHeaders(r)])).toEqual([
      ['PutObject', customer],
      ['Create', customer],
      ['UploadPart', customer],
      ['UploadPart', customer],
      ['Complete', {}],
      ['GET', customer],
      ['HEAD', customer],
    ]);
    for (const view of [String(c), JSON.stringify(c), inspect(c, { depth: 10, showHidden: true })]) {
      expect(view).not.toContain(key.toString('base64'));
    }
    expect(JSON.stringify(c)).toContain('"customerKey":true');
    await c.close();
  });

  it('invalid combinations are INVALID_CONFIG naming the field, before any request', () => {
    const cases: [Partial<S3ClientConfig>, string][] = [
      [{ serverSideEncryption: 'DES' as never }, 'serverSideEncryption'],
      [{ serverSideEncryption: 'AES256', kmsKeyId: 'k' }, 'kmsKeyId'],
      [{ kmsContext: { a: 'b' } }, 'kmsContext'],
      [{ serverSideEncryption: 'AES256', bucketKey: true }, 'bucketKey'],
      [{ sseCustomerKey: Buffer.alloc(16) }, 'sseCustomerKey'],
      [{ sseCustomerKey: Buffer.alloc(32), serverSideEncryption: 'AES256' }, 'sseCustomerKey'],
      [{ acl: 'everyone' as never }, 'acl'],
      [{ cacheControl: 'max-age=1\r\nx: y' }, 'cacheControl'],
    ];
    for (const [extra, field] of cases) {
      let error: unknown;
      try {
        client('http://127.0.0.1:1', extra);
      } catch (err) {
        error = err;
      }
      expect(isAttError(error, 'INVALID_CONFIG'), `${field}: ${String(error)}`).toBe(true);
      expect((error as { details?: { field?: string } }).details?.field).toBe(field);
    }
    expect(() => client('http://s3.example.com', { sseCustomerKey: Buffer.alloc(32) }), 'SSE-C key in clear').toThrow(
      /https/,
    );
  });
});

describe('object headers', () => {
  it('cacheControl, contentDisposition and acl are sent on put and create, signed; bad values fail before sending', async () => {
    const fake = await recordingS3();
    const c = client(fake.url, { cacheControl: 'public, max-age=60', acl: 'private' });
    const disposition = 'attachment; filename="resume.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf';
    await c.putObject('small', 'hello', { contentDisposition: disposition, acl: 'bucket-owner-full-control' });
    await c.putObject('big', sixMiB, { cacheControl: 'no-store' });
    expect(fake.requests.map((r) => [operation(r), sseHeaders(r)])).toEqual([
      [
        'PutObject',
        {
          'cache-control': 'public, max-age=60',
          'content-disposition': disposition,
          'x-amz-acl': 'bucket-owner-full-control',
        },
      ],
      ['Create', { 'cache-control': 'no-store', 'x-amz-acl': 'private' }],
      ['UploadPart', {}],
      ['UploadPart', {}],
      ['Complete', {}],
    ]);
    const before = fake.requests.length;
    for (const bad of [
      { contentDisposition: 'attachment; filename="résumé.pdf"' },
      { contentDisposition: '' },
      { acl: 'x' as never },
    ]) {
      await expect(c.putObject('bad', 'x', bad)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
    expect(fake.requests.length, 'nothing sent for invalid headers').toBe(before);
    await c.close();
  });
});

describe.each(s3Servers().map((s) => [s.name, s] as const))('on a real server (%s)', (_name, server) => {
  it('stored Cache-Control and Content-Disposition read back through the AWS SDK (where the server keeps them)', async () => {
    const { bucket, client: c } = await freshClient(server, 'objheaders', { acl: 'private' });
    const disposition = 'attachment; filename="a b.txt"; filename*=UTF-8\'\'a%20b.txt';
    await c.putObject('k', 'hello', { cacheControl: 'private, max-age=300', contentDisposition: disposition });
    await c.putObject('big', Buffer.alloc(6 * MiB, 2), { cacheControl: 'no-cache', contentDisposition: 'inline' });
    const head = await sdkClient(server).send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    const big = await sdkClient(server).send(new HeadObjectCommand({ Bucket: bucket, Key: 'big' }));
    expect(head.ContentLength).toBe(5);
    if (server.capabilities.storesObjectHeaders) {
      expect(head.CacheControl).toBe('private, max-age=300');
      expect(head.ContentDisposition).toBe(disposition);
      expect(big.CacheControl, 'multipart uploads keep the headers too').toBe('no-cache');
      expect(big.ContentDisposition).toBe('inline');
    }
    await c.close();
  });

  it('SSE-S3 uploads succeed where the server supports encryption, and fail clearly where it does not', async () => {
    const { client: c } = await freshClient(server, 'sse', { serverSideEncryption: 'AES256' });
    const result = await c.putObject('k', 'hello').then(
      () => 'stored',
      (err: unknown) => err,
    );
    if (server.capabilities.acceptsServerSideEncryption) expect(result).toBe('stored');
    else {
      expect(isAttError(result), String(result)).toBe(true);
      expect((result as { details: { httpStatus: number } }).details.httpStatus).toBe(501);
    }
    await c.close();
  });
});
