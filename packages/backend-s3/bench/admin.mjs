// Bench housekeeping with the AWS SDK, in its own process so the launcher stays tiny:
// `node admin.mjs '<json>'` with op = createBucket | seed | count | deleteKey.

import { Agent } from 'node:http';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createSdkClient } from '../test/support/sdk-client.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const job = JSON.parse(process.argv[2] ?? '{}');
const { server, bucket } = job;
const client = createSdkClient(server, {
  requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) },
});

async function count(prefix) {
  let n = 0;
  let token;
  for (let page = 0; page < 10_000; page++) {
    const out = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    n += out.KeyCount ?? out.Contents?.length ?? 0;
    if (!out.IsTruncated) return n;
    token = out.NextContinuationToken;
  }
  throw new Error('count: too many pages');
}

const ops = {
  async createBucket() {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return {};
  },
  /** PUTs keys <prefix>/k000000 … with `concurrency` in flight (tiny bodies: listing/deleting is what is measured). */
  async seed() {
    let next = 0;
    const worker = async () => {
      while (next < job.keys) {
        const i = next++;
        const Key = `${job.prefix}/k${String(i).padStart(6, '0')}`;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `v${i}` }));
      }
    };
    await Promise.all(Array.from({ length: job.concurrency ?? 32 }, worker));
    return { count: await count(`${job.prefix}/`) };
  },
  async count() {
    return { count: await count(`${job.prefix}/`) };
  },
  async deleteKey() {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: job.key }));
    return {};
  },
};

ops[job.op]().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`admin ${job.op} failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
