import { inspect } from 'node:util';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { parseS3Url, S3Client, s3Backend } from '../src/index.js';

const SECRET = 'sup3r/s3cr3t+key';
const URL_OK = `s3://test%3Atester:${encodeURIComponent(SECRET)}@my-bucket/att/files/?region=us-east-1&endpoint=http://127.0.0.1:9000`;

function configError(fn: () => unknown): { field: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    expect(isAttError(err, 'INVALID_CONFIG'), `expected INVALID_CONFIG, got ${String(err)}`).toBe(true);
    const e = err as { details?: { field?: unknown }; message: string };
    expect(e.message).not.toContain('s3cr3t');
    return { field: e.details?.field, message: e.message };
  }
  throw new Error('expected INVALID_CONFIG, but parsing succeeded');
}

describe('parseS3Url', () => {
  it('decodes credentials, trims the prefix and keeps an http endpoint', () => {
    const config = parseS3Url(URL_OK);
    expect(config.accessKeyId).toBe('test:tester');
    expect(config.secretAccessKey).toBe(SECRET);
    expect(config.bucket).toBe('my-bucket');
    expect(config.prefix).toBe('att/files');
    expect(config.region).toBe('us-east-1');
    expect(config.endpoint).toBe('http://127.0.0.1:9000');
    const client = new S3Client(config);
    expect(client.config.endpoint.protocol).toBe('http:');
    expect(client.config.forcePathStyle).toBe(true);
  });

  it('reads optional settings', () => {
    const config = parseS3Url(
      's3://k:s@b?region=auto&endpoint=https://x.r2.cloudflarestorage.com&forcePathStyle=false&partSize=16MiB&queueSize=8&maxAttempts=2&timeout=5000',
    );
    expect(config).toMatchObject({ forcePathStyle: false, partSize: 16 * 1024 * 1024, queueSize: 8, maxAttempts: 2 });
    expect(config.timeout).toBe(5000);
    expect(config.prefix).toBeUndefined();
    expect(new S3Client(config).config.forcePathStyle).toBe(false);
  });

  it.each([
    ['not a url at all', 'url'],
    ['http://k:s@b?region=r', 'url'],
    ['s3:k:s@b?region=r', 'url'],
    ['s3://k:s@/prefix?region=r', 'bucket'],
    ['s3://:s@b?region=r', 'accessKeyId'],
    ['s3://k@b?region=r', 'secretAccessKey'],
    ['s3://k:s@b', 'region'],
    ['s3://k:s@b?region=', 'region'],
    ['s3://k:s@b?region=r&endpoint=ftp://x', 'endpoint'],
    ['s3://k:s@b?region=r&endpoint=not-a-url', 'endpoint'],
    ['s3://k:s@b?region=r&colour=blue', 'colour'],
    ['s3://k:s@b?region=r&region=q', 'region'],
    ['s3://k:s@b?region=r&partSize=1MiB', 'partSize'],
    ['s3://k:s@b?region=r&partSize=lots', 'partSize'],
    ['s3://k:s@b?region=r&queueSize=0', 'queueSize'],
    ['s3://k:s@b?region=r&forcePathStyle=maybe', 'forcePathStyle'],
    ['s3://k:%E0%A4%A@b?region=r', 'secretAccessKey'],
  ])('rejects %s naming %s', (url, field) => {
    const { field: got, message } = configError(() => new S3Client(parseS3Url(url)));
    expect(got).toBe(field);
    expect(message).toContain(field);
  });

  it('never shows the secret in JSON, toString, util.inspect or errors', () => {
    const config = parseS3Url(URL_OK);
    const client = new S3Client(config);
    const backend = s3Backend(URL_OK);
    for (const value of [config, client, backend]) {
      expect(JSON.stringify(value)).not.toContain('s3cr3t');
      expect(String(value)).not.toContain('s3cr3t');
      expect(inspect(value, { depth: 10, showHidden: true })).not.toContain('s3cr3t');
      expect(inspect(value, { depth: 10 })).toContain('my-bucket');
    }
    expect(JSON.stringify(config)).toContain('[redacted]');
    // Bad inputs next to a secret: the message names the field, never the URL.
    const { message } = configError(() => parseS3Url(`s3://k:${SECRET}@b?region=r&oops=1`));
    expect(message).not.toContain(SECRET);
  });

  it('is a plain config: equal to its fields and usable as a spread copy with overrides', () => {
    const config = parseS3Url(URL_OK);
    expect(config).toEqual({
      accessKeyId: 'test:tester',
      secretAccessKey: SECRET,
      bucket: 'my-bucket',
      prefix: 'att/files',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
    });
    const client = new S3Client({ ...config, queueSize: 8 });
    expect(client.config.queueSize).toBe(8);
    expect(client.config.bucket).toBe('my-bucket');
    expect(JSON.stringify(client)).not.toContain('s3cr3t');
  });
});

describe('S3Client config', () => {
  const base = { region: 'us-east-1', bucket: 'bkt', accessKeyId: 'k', secretAccessKey: 'top-secret-value' };
  it('defaults to virtual-hosted AWS and path-style for custom endpoints', () => {
    const aws = new S3Client(base);
    expect(aws.config.endpoint.href).toBe('https://s3.us-east-1.amazonaws.com/');
    expect(aws.config.forcePathStyle).toBe(false);
    expect(new S3Client({ ...base, bucket: 'with.dots' }).config.forcePathStyle).toBe(true);
    expect(new S3Client({ ...base, endpoint: 'http://127.0.0.1:1' }).config.forcePathStyle).toBe(true);
    expect(new S3Client({ ...base, prefix: '/a/b/' }).objectKey('id')).toBe('a/b/id');
    expect(new S3Client(base).objectKey('id')).toBe('id');
  });

  it.each([
    [{ region: '' }, 'region'],
    [{ bucket: '' }, 'bucket'],
    [{ secretAccessKey: undefined }, 'secretAccessKey'],
    [{ accessKeyId: undefined }, 'accessKeyId'],
    [{ endpoint: 'nope' }, 'endpoint'],
    [{ endpoint: 'http://u:p@host' }, 'endpoint'],
    [{ partSize: 1024 }, 'partSize'],
    [{ timeout: 0 }, 'timeout'],
    [{ region: 'auto' }, 'endpoint'],
  ])('rejects %o naming %s', (override, field) => {
    const { field: got } = configError(() => new S3Client({ ...base, ...override } as never));
    expect(got).toBe(field);
  });

  it('takes a credentials provider instead of static keys', async () => {
    const client = new S3Client({ region: 'r', bucket: 'bkt', credentials: async () => base });
    const url = new URL(await client.presignGetUrl('a b', { expiresIn: 60 }));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^k\//);
    expect(url.pathname).toBe('/a%20b');
    expect(url.hostname).toBe('bkt.s3.us-east-1.amazonaws.com'.replace('us-east-1', 'r'));
    expect(inspect(client)).not.toContain('top-secret-value');
  });
});
