// The tus scenarios of @att/express-middleware (real tus-js-client, real Express server) on Swift and fauxqs:
// upload state lives in the bucket, so restarts and a second instance resume from it.
import { beforeAll } from 'vitest';
import { describeTusScenarios } from '../../express-middleware/test/tus/scenarios.js';
import { s3Backend } from '../src/index.js';
import { createTestBucket, s3Servers } from './support/servers.js';

for (const server of s3Servers()) {
  let bucket = '';
  beforeAll(async () => {
    bucket = await createTestBucket(server, `tus-${server.name}`);
  });
  describeTusScenarios(`s3 on ${server.name}`, {
    // Swift takes ~75 ms a request here and each small PATCH costs three (state, tail segment, state): 64 MiB in
    // 256 KiB chunks would add over a minute, so Swift sends 16 MiB that way (still three parts of tail segments).
    ...(server.name === 'swift' ? { smallChunksSize: 16 * 1024 * 1024 } : {}),
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
  });
}
