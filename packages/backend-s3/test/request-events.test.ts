import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { S3_REQUEST_END_CHANNEL, S3_REQUEST_START_CHANNEL, type S3RequestMessage } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '../src/index.js';
import { clientFor } from './helpers/clients.js';
import { type FaultProxy, failFirstAttempts, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Servers } from './support/servers.js';

for (const server of s3Servers()) {
  describe(`S3 request events (${server.name} behind the fault proxy)`, () => {
    let bucket: string;
    let proxy: FaultProxy;
    let client: S3Client;
    const started: S3RequestMessage[] = [];
    const ended: S3RequestMessage[] = [];
    const onStart = (m: unknown) => started.push(m as S3RequestMessage);
    const onEnd = (m: unknown) => ended.push(m as S3RequestMessage);
    beforeAll(async () => {
      bucket = await createTestBucket(server, 'events');
      proxy = await startFaultProxy(server.endpoint);
      client = clientFor(server, bucket, {
        endpoint: proxy.endpoint,
        maxAttempts: 3,
        retryBaseDelay: 1,
        retryMaxDelay: 20,
      });
      subscribe(S3_REQUEST_START_CHANNEL, onStart);
      subscribe(S3_REQUEST_END_CHANNEL, onEnd);
    });
    afterAll(async () => {
      unsubscribe(S3_REQUEST_START_CHANNEL, onStart);
      unsubscribe(S3_REQUEST_END_CHANNEL, onEnd);
      await client.close();
      await proxy.close();
    });

    it('report operation, bucket, status, attempts and the cause of each retry', async () => {
      started.length = 0;
      ended.length = 0;
      proxy.setRule(
        failFirstAttempts(() => true, 2, { status: 503, s3Code: 'SlowDown', headers: { 'retry-after': '0' } }),
      );
      await client.putObject('evented', 'hello events');
      proxy.setRule(undefined);
      expect((await client.headObject('evented')).size).toBe(12);
      const missing = await client.headObject('absent').catch((err: unknown) => err);
      expect(missing).toMatchObject({ code: 'NOT_FOUND' });

      expect(started.map((m) => m.operation)).toEqual(ended.map((m) => m.operation));
      const [put, head, absent] = ended;
      expect(put).toMatchObject({ operation: 'PutObject', method: 'PUT', bucket, status: 200, attempts: 3 });
      expect(put?.retries, 'two 503 answers retried').toEqual(['http_503', 'http_503']);
      expect(put?.code).toBeUndefined();
      expect(head).toMatchObject({ operation: 'HeadObject', method: 'HEAD', status: 200, attempts: 1, retries: [] });
      expect(absent).toMatchObject({ operation: 'HeadObject', status: 404, code: 'NOT_FOUND', attempts: 1 });
      for (const m of ended) expect(m.durationMs).toBeGreaterThanOrEqual(0);
    });
  });
}
