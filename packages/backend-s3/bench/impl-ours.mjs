// Our client, from the built dist (what users get): run `pnpm turbo run build --filter=@att/backend-s3...` first.
export async function createImplAsync(server, bucket, { partSize, queueSize }) {
  const { S3Client } = await import('@att/backend-s3');
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
    partSize,
    queueSize,
  });
  return {
    async upload(key, stream) {
      await client.putObject(key, stream, {});
    },
    async download(key) {
      const { body } = await client.getObject(key);
      return body;
    },
    async list(prefix) {
      const keys = [];
      for await (const o of client.listObjects({ prefix })) keys.push(o.key);
      return keys;
    },
    async deleteKeys(keys) {
      await client.deleteObjects(keys);
    },
    async close() {
      await client.close?.();
    },
  };
}
