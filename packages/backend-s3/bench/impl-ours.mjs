// Our client, from the built dist (what users get): run `pnpm turbo run build --filter=@att/backend-s3...` first.
// Variants for the checksum cost (as deployed on https: payloads not signed, so the checksum is the only hashing):
// `ours:unsigned` (default checksum md5, verified downloads), `ours:unsigned:crc32`, `ours:unsigned:none`.
const VARIANTS = {
  ours: {},
  'ours:unsigned': { signPayload: false },
  'ours:unsigned:crc32': { signPayload: false, checksum: 'crc32' },
  'ours:unsigned:none': { signPayload: false, checksum: 'none', verifyDownloads: false },
};

export async function createImplAsync(server, bucket, { partSize, queueSize }, impl = 'ours') {
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
    ...VARIANTS[impl],
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
