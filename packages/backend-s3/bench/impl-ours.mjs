// Our client, from the built dist (what users get): run `pnpm turbo run build --filter=@att/backend-s3...` first.
// Variants for the checksum cost (as deployed on https: payloads not signed, so the checksum is the only hashing):
// `ours:unsigned` (the default: crc32 where the server verifies it, learned from its answers), `ours:unsigned:md5`,
// `ours:unsigned:crc32-always` (CRC32 on every PUT and part and a FULL_OBJECT completion whatever the server says:
// the cost on a server that verifies it, like AWS; fauxqs accepts it, Swift's XML schema refuses the completion),
// `ours:unsigned:crc32c-always` and `ours:unsigned:crc64nvme-always` (the same with the other CRCs), and
// `ours:unsigned:none`.
const VARIANTS = {
  ours: {},
  'ours:unsigned': { signPayload: false },
  'ours:unsigned:md5': { signPayload: false, checksum: 'md5', verifyDownloads: true },
  'ours:unsigned:crc32-always': { signPayload: false, checksum: 'crc32', serverVerifiesChecksums: true },
  'ours:unsigned:crc32c-always': { signPayload: false, checksum: 'crc32c', serverVerifiesChecksums: true },
  'ours:unsigned:crc64nvme-always': { signPayload: false, checksum: 'crc64nvme', serverVerifiesChecksums: true },
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
