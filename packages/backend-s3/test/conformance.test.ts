// The store-core conformance suite, unchanged, against the real servers: Swift (strict, the default) and fauxqs.
// One bucket per server; the suite makes its own unique keys and cleans them up.
import { describeBackendConformance } from '@att/store-core/testing';
import { beforeAll } from 'vitest';
import { s3Backend } from '../src/index.js';
import { createTestBucket, s3Servers } from './support/servers.js';

for (const server of s3Servers()) {
  let bucket = '';
  beforeAll(async () => {
    bucket = await createTestBucket(server, `conformance-${server.name}`);
  });
  describeBackendConformance(`s3 on ${server.name}`, () =>
    s3Backend({
      endpoint: server.endpoint,
      region: server.region,
      bucket,
      prefix: 'conformance',
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      partSize: 5 * 1024 * 1024,
    }),
  );
}
