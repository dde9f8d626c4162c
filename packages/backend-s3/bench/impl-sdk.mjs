// The reference: @aws-sdk/client-s3 + @aws-sdk/lib-storage Upload, as a typical application would use them.
import { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createSdkClient } from '../test/support/sdk-client.mjs';

export function createImpl(server, bucket, { partSize, queueSize }) {
  const client = createSdkClient(server);
  return {
    async upload(key, stream) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: Readable.from(stream) },
        partSize,
        queueSize,
      });
      await upload.done();
    },
    async download(key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body;
    },
    async list(prefix) {
      const keys = [];
      let token;
      for (let page = 0; page < 10_000; page++) {
        const out = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of out.Contents ?? []) keys.push(o.Key);
        if (!out.IsTruncated) break;
        token = out.NextContinuationToken;
      }
      return keys;
    },
    async deleteKeys(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
        const out = await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
        );
        if (out.Errors?.length)
          throw new Error(`DeleteObjects: ${out.Errors.length} keys failed (${out.Errors[0].Code})`);
      }
    },
    async close() {
      client.destroy();
    },
  };
}
