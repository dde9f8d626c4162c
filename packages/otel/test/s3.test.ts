// @att/otel on real S3 requests: retries injected by the fault proxy in front of Swift and fauxqs show up as
// att.s3.retries by cause, each request as a counter point, a latency sample and a span under the active span.
// The servers, fault proxy and client helpers are backend-s3's own test support (its globalSetup runs here too).
import { createStore } from '@att/store-core';
import { type Attributes, context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Backend } from '../../backend-s3/src/index.js';
import { clientFor } from '../../backend-s3/test/helpers/clients.js';
import { type FaultProxy, failFirstAttempts, startFaultProxy } from '../../backend-s3/test/support/fault-proxy.js';
import { createTestBucket, s3Servers } from '../../backend-s3/test/support/servers.js';
import { instrumentAtt, METRICS } from '../src/index.js';

/** A reader that only collects when asked. */
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

async function point(
  reader: MetricReader,
  name: string,
  match: Attributes,
): Promise<DataPoint<number | Histogram> | undefined> {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      const found = (metric.dataPoints as DataPoint<number | Histogram>[]).find((p) =>
        Object.entries(match).every(([k, v]) => p.attributes[k] === v),
      );
      if (found) return found;
    }
  }
  return undefined;
}

for (const server of s3Servers()) {
  describe(`@att/otel on S3 requests (${server.name} behind the fault proxy)`, () => {
    let proxy: FaultProxy;
    let bucket: string;
    const reader = new OnDemandReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    let instrumentation: ReturnType<typeof instrumentAtt>;
    beforeAll(async () => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      bucket = await createTestBucket(server, 'otel');
      proxy = await startFaultProxy(server.endpoint);
    });
    afterAll(async () => {
      instrumentation?.close();
      await proxy.close();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      context.disable();
    });

    it('count requests by operation and status, retries by cause, latency, and trace each request', async () => {
      const client = clientFor(server, bucket, {
        endpoint: proxy.endpoint,
        maxAttempts: 3,
        retryBaseDelay: 1,
        retryMaxDelay: 20,
      });
      const store = createStore({ backend: s3Backend(client) });
      instrumentation = instrumentAtt({ meterProvider, tracerProvider, stores: store });
      const tracer = tracerProvider.getTracer('test');
      await tracer.startActiveSpan('POST /attachments', async (parent) => {
        proxy.setRule(
          failFirstAttempts((req) => req.method === 'PUT', 2, {
            status: 503,
            s3Code: 'SlowDown',
            headers: { 'retry-after': '0' },
          }),
        );
        // A buffered body: the client can resend it (a streamed one fails on the first 503).
        await client.putObject('retried', 'hello retries');
        proxy.setRule(undefined);
        await store.write(
          'traced',
          (async function* () {
            yield new TextEncoder().encode('hello otel');
          })(),
          { size: 10, isNew: true },
        );
        expect((await store.stat('traced')).size).toBe(10);
        await expect(store.stat('absent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        parent.end();
      });

      const put = { 'att.s3.operation': 'PutObject' };
      expect(
        (await point(reader, METRICS.s3Requests, { ...put, 'http.response.status_code': 200 }))?.value,
        'two PUTs, the first answered 200 at its third attempt',
      ).toBe(2);
      expect(
        (await point(reader, METRICS.s3Retries, { ...put, 'att.retry.cause': 'http_503' }))?.value,
        'two 503s retried',
      ).toBe(2);
      const latency = (await point(reader, METRICS.s3Duration, put))?.value as Histogram | undefined;
      expect(latency?.count, 'one latency sample per PUT, retries included').toBe(2);
      const notFound = await point(reader, METRICS.s3Requests, {
        'att.s3.operation': 'HeadObject',
        'http.response.status_code': 404,
        'error.type': 'NOT_FOUND',
      });
      expect(notFound?.value).toBe(1);
      expect((await point(reader, METRICS.uploads, { 'att.outcome': 'stored' }))?.value).toBe(1);
      expect((await point(reader, METRICS.bufferLimit, {}))?.value, 'the S3 client budget').toBe(
        client.config.maxBufferedBytes,
      );
      expect((await point(reader, METRICS.storeSize, {}))?.value).toBe(10);

      const finished = spans.getFinishedSpans();
      const parent = finished.find((s) => s.name === 'POST /attachments');
      const s3 = finished.filter((s) => s.name.startsWith('S3.'));
      expect(s3.map((s) => s.name)).toEqual(['S3.PutObject', 'S3.PutObject', 'S3.HeadObject', 'S3.HeadObject']);
      for (const span of [...s3, ...finished.filter((s) => s.name === 'att.upload')]) {
        expect(span.parentSpanContext?.spanId, `${span.name} is a child of the request span`).toBe(
          parent?.spanContext().spanId,
        );
      }
      expect(s3[0]?.attributes).toMatchObject({
        'aws.s3.bucket': bucket,
        'rpc.method': 'PutObject',
        'http.response.status_code': 200,
        'att.s3.attempts': 3,
        'att.s3.retries': ['http_503', 'http_503'],
      });
      expect(s3[3]?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'NOT_FOUND' });
      await store.close();
      await client.close();
    });
  });
}
