// The S3 client's side of credentials and settings: no credentials option means the default chain, a plain
// credentials object and an SDK-style provider are accepted, region and endpoint come from AWS_REGION and
// AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL, and no form of the client shows a secret. Requests go to Swift.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isAttError } from '@att/store-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseS3Url, S3Client, s3Plugin } from '../src/index.js';
import { readAll } from './helpers/clients.js';
import { createTestBucket, type S3TestServer, s3Server } from './support/servers.js';

let swift: S3TestServer;
let bucket: string;
beforeAll(async () => {
  swift = s3Server('swift');
  bucket = await createTestBucket(swift, 'creds');
});

/** Points HOME and the shared files at an empty temp dir and clears every AWS_* variable of this process. */
function isolateEnv(): string {
  const dir = mkdtempSync(join(tmpdir(), 'att-client-creds-'));
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) vi.stubEnv(name, undefined);
  vi.stubEnv('HOME', dir);
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  return dir;
}
afterEach(() => {
  vi.unstubAllEnvs();
});

async function roundTrip(client: S3Client, key: string) {
  await client.putObject(key, 'hello chain');
  const got = await client.getObject(key);
  expect((await readAll(got.body)).toString()).toBe('hello chain');
  await client.close();
}

describe('S3Client credentials and settings from the environment', () => {
  it('new S3Client({ bucket }) finds keys, region and endpoint in the environment, signed correctly (Swift)', async () => {
    isolateEnv();
    vi.stubEnv('AWS_ACCESS_KEY_ID', swift.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', swift.secretAccessKey);
    vi.stubEnv('AWS_REGION', swift.region);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', swift.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:1'); // the service-specific one wins
    const client = new S3Client({ bucket });
    expect(client.config.region).toBe(swift.region);
    expect(client.config.endpoint.href).toBe(new URL(swift.endpoint).href);
    expect(client.config.forcePathStyle).toBe(true);
    await roundTrip(client, 'env/one');
  });

  it('region and keys from the AWS_PROFILE profile', async () => {
    const dir = isolateEnv();
    writeFileSync(join(dir, 'config'), `[profile s]\nregion = ${swift.region}\n`);
    writeFileSync(
      join(dir, 'credentials'),
      `[s]\naws_access_key_id = ${swift.accessKeyId}\naws_secret_access_key = ${swift.secretAccessKey}\n`,
    );
    vi.stubEnv('AWS_PROFILE', 's');
    vi.stubEnv('AWS_ENDPOINT_URL', swift.endpoint);
    const client = new S3Client({ bucket });
    expect(client.config.region).toBe(swift.region);
    await roundTrip(client, 'profile/one');
  });

  it('an s3:// URL without keys or region: the chain and AWS_REGION fill them in (client and plugin)', async () => {
    isolateEnv();
    vi.stubEnv('AWS_ACCESS_KEY_ID', swift.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', swift.secretAccessKey);
    vi.stubEnv('AWS_REGION', swift.region);
    const url = `s3://${bucket}/from-url?endpoint=${encodeURIComponent(swift.endpoint)}`;
    const config = parseS3Url(url);
    expect(config.accessKeyId).toBeUndefined();
    expect(config.region).toBeUndefined();
    await roundTrip(new S3Client(config), 'one');
    const backend = s3Plugin.create(new URL(url)) as ReturnType<typeof s3Plugin.create> & { close(): Promise<void> };
    const stored = await backend.head('one');
    expect(stored.size).toBe('hello chain'.length);
    await backend.close();
  });

  it('a wrong secret from the chain is rejected by Swift (the chain really signs)', async () => {
    isolateEnv();
    vi.stubEnv('AWS_ACCESS_KEY_ID', swift.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wrong-secret');
    const client = new S3Client({ bucket, region: swift.region, endpoint: swift.endpoint });
    await expect(client.putObject('env/denied', 'x')).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await client.close();
  });

  it('no region anywhere: INVALID_CONFIG naming region; no credentials anywhere: INVALID_CONFIG at the first request', async () => {
    isolateEnv();
    expect(() => new S3Client({ bucket })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    try {
      new S3Client({ bucket });
    } catch (err) {
      expect((err as { details?: { field?: string } }).details?.field).toBe('region');
    }
    const client = new S3Client({ bucket, region: swift.region, endpoint: swift.endpoint, maxAttempts: 1 });
    const err = await client.putObject('none', 'x').catch((e: unknown) => e);
    expect(isAttError(err, 'INVALID_CONFIG'), String(err)).toBe(true);
    await client.close();
  });

  it('a plain credentials object and an SDK-style provider function are accepted', async () => {
    isolateEnv();
    const base = { bucket, region: swift.region, endpoint: swift.endpoint };
    await roundTrip(
      new S3Client({
        ...base,
        credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
      }),
      'object/one',
    );
    let calls = 0;
    const provider = async () => {
      calls++;
      return {
        accessKeyId: swift.accessKeyId,
        secretAccessKey: swift.secretAccessKey,
        expiration: new Date(Date.now() + 3_600_000),
      };
    };
    const client = new S3Client({ ...base, credentials: provider });
    await client.putObject('provider/one', 'a');
    await client.putObject('provider/two', 'b');
    expect(calls, 'credentials with an expiration are cached between requests').toBe(1);
    await client.close();
    expect(() => new S3Client({ ...base, credentials: { accessKeyId: 'x' } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('the client shows no secret or token in toString, JSON or util.inspect', () => {
    isolateEnv();
    const secret = 'SECRET-in-object';
    const token = 'TOKEN-in-object';
    const clients = [
      new S3Client({
        bucket,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AK', secretAccessKey: secret, sessionToken: token },
      }),
      new S3Client({ bucket, region: 'us-east-1', accessKeyId: 'AK', secretAccessKey: secret, sessionToken: token }),
    ];
    for (const client of clients) {
      for (const view of [String(client), JSON.stringify(client), inspect(client, { depth: 10, showHidden: true })]) {
        expect(view).not.toContain(secret);
        expect(view).not.toContain(token);
      }
    }
  });
});
