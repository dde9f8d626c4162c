// tus uploads on S3 store the Content-Type and Content-Disposition the middleware's GET serves, read back with
// the AWS SDK (HeadObject) on the servers that keep them (Swift; fauxqs drops Content-Disposition: there the
// request that creates the object is checked instead, in resumable-checksums.test.ts).
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll } from 'vitest';
import { describeTusStoredHeaders } from '../../express-middleware/test/tus/stored-headers.js';
import { s3Backend } from '../src/index.js';
import { createTestBucket, s3Servers, sdkClient } from './support/servers.js';

for (const server of s3Servers().filter((s) => s.capabilities.storesObjectHeaders)) {
  let bucket = '';
  beforeAll(async () => {
    bucket = await createTestBucket(server, `tus-headers-${server.name}`);
  });
  describeTusStoredHeaders(server.name, {
    backend: () =>
      s3Backend({
        endpoint: server.endpoint,
        region: server.region,
        bucket,
        prefix: 'tus',
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        partSize: 5 * 1024 * 1024,
      }),
    async readObject(id) {
      const head = await sdkClient(server).send(new HeadObjectCommand({ Bucket: bucket, Key: `tus/${id}` }));
      return { contentType: head.ContentType, contentDisposition: head.ContentDisposition };
    },
  });
}
