// One buffer budget for all uploads of a client: 30 concurrent 10 MiB uploads to a slow server (every part held
// 0.5 s by the proxy) stay within base + maxBufferedBytes + 32 MiB of RSS, and RSS comes back down afterwards.
// Measured in a child process running the built client (dist/), so nothing else in this process counts.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, listAllKeys, s3Server, sdkClient } from './support/servers.js';

const server = s3Server('fauxqs');
const child = fileURLToPath(new URL('./support/rss-uploads.mjs', import.meta.url));
const BUDGET = 64 * MiB;
const UPLOADS = 30;
const BYTES = 10 * MiB;

let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'budget');
  proxy = await startFaultProxy(server.endpoint, (r) =>
    r.method === 'PUT' && 'partNumber' in r.query ? { stallMs: 500 } : undefined,
  );
});
afterAll(async () => {
  await proxy?.close();
});

describe('maxBufferedBytes', () => {
  it('30 concurrent uploads to a slow server stay within base + budget + 32 MiB, and RSS comes back down', {
    timeout: 60_000,
  }, async () => {
    const job = {
      client: {
        endpoint: proxy.endpoint,
        region: server.region,
        bucket,
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        maxBufferedBytes: BUDGET,
      },
      uploads: UPLOADS,
      bytes: BYTES,
    };
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', child, JSON.stringify(job)], {
      timeout: 55_000,
    });
    const { base, peak, after } = JSON.parse(stdout.trim().split('\n').pop() as string);
    const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
    const report = `base ${mib(base)}, peak ${mib(peak)}, after ${mib(after)}`;
    expect(peak - base, `peak growth within budget + 32 MiB (${report})`).toBeLessThanOrEqual(BUDGET + 32 * MiB);
    expect(after - base, `memory comes back down (${report})`).toBeLessThanOrEqual(32 * MiB);
    const out = await sdkClient(server).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'u' }));
    expect((out.Contents ?? []).map((o) => o.Size)).toEqual(Array(UPLOADS).fill(BYTES));
    expect((await listAllKeys(server, bucket)).length).toBe(UPLOADS + 1);
  });
});
