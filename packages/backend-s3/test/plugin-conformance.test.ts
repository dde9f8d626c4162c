// s3Plugin against the plugin suite, once per test server (Swift, fauxqs): the suite's round trip goes through
// the server, everything else (scheme, lazy create, config errors, precedence) must not touch the network.

import { describePluginConformance } from '@att/store-core/testing';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll } from 'vitest';
import { type S3Backend, s3Plugin } from '../src/index.js';
import { s3Servers, sdkClient, uniqueBucketName } from './support/servers.js';

for (const server of s3Servers()) {
  const bucket = uniqueBucketName(`plugin-${server.name}`);
  beforeAll(async () => {
    await sdkClient(server).send(new CreateBucketCommand({ Bucket: bucket }));
  });
  // fauxqs checks no signatures (and its key id equals its secret): a distinctive secret makes the leak checks count.
  const rawSecret = server.capabilities.verifiesSignatures ? server.secretAccessKey : 'fauxqs-Any/Secret+Works';
  const key = encodeURIComponent(server.accessKeyId);
  const secret = encodeURIComponent(rawSecret);
  const endpoint = encodeURIComponent(server.endpoint);
  const at = `s3://${key}:${secret}@`;
  const validUrl = `${at}${bucket}/plugin?region=${server.region}&endpoint=${endpoint}`;
  describePluginConformance(s3Plugin, {
    validUrl,
    invalidUrls: [
      `${at}${bucket}/plugin?endpoint=${endpoint}`,
      `${at}${bucket}/plugin?region=${server.region}&endpoint=ftp%3A%2F%2F127.0.0.1`,
      `${at}${bucket}/plugin?region=${server.region}&colour=blue`,
      `${at}${bucket}/plugin?region=${server.region}&region=eu-west-1`,
      `${at}${bucket}/plugin?region=${server.region}&partSize=huge`,
      `${at}${bucket}:9000/plugin?region=${server.region}`,
      `${at}/plugin?region=${server.region}`,
      `${at}${bucket}/plugin?region=${server.region}#fragment`,
      `s3://${key}:@${bucket}?region=${server.region}`,
      `s3://${key}:${rawSecret}/unencoded@${bucket}?region=${server.region}`,
    ],
    name: `s3 on ${server.name}`,
    secretInUrl: rawSecret,
    precedence: {
      urlWith: `${validUrl}&partSize=6MiB`,
      urlWithout: validUrl,
      options: { partSize: 9 * 1024 * 1024 },
      read: (backend) => (backend as S3Backend).client.config.partSize,
    },
  });
}
