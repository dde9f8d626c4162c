// One upload server per process for the overhead bench: Express + @att/express-middleware on the fs backend,
// without OpenTelemetry (`plain`) or with @att/otel on the SDK (`otel`: metrics into an in-memory exporter read
// every second, spans through a batch processor into an in-memory exporter, async context as the Node SDK sets it).
// argv: <plain|otel> <dir>. Prints the port on stdout; GET /stats answers CPU seconds and drops recorded spans.
import { fsBackend } from '@att/backend-fs';
import { attachments } from '@att/express-middleware';
import { createStore } from '@att/store-core';
import express from 'express';

const [kind, dir] = process.argv.slice(2);
const GiB = 1024 ** 3;
const store = createStore({ backend: fsBackend({ dir, fsync: false }), totalSizeLimit: 1024 * GiB });

let spans;
let flush = async () => {};
if (kind === 'otel') {
  const { context } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } = await import(
    '@opentelemetry/sdk-metrics'
  );
  const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } = await import(
    '@opentelemetry/sdk-trace-base'
  );
  const { instrumentAtt } = await import('../dist/index.js');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 1000 })],
  });
  spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] });
  instrumentAtt({ meterProvider, tracerProvider, stores: { files: store } });
  flush = () => tracerProvider.forceFlush();
  setInterval(() => metrics.reset(), 5000).unref();
}

const app = express();
app.get('/stats', async (_req, res) => {
  const { user, system } = process.cpuUsage();
  await flush(); // every span of the round exported, so the count checks that each upload made one
  const recorded = spans?.getFinishedSpans().length ?? 0;
  spans?.reset();
  res.json({ cpuSeconds: (user + system) / 1e6, spans: recorded });
});
app.use(
  '/upload',
  attachments({ store, rateLimit: false, visitorTotalSizeLimit: false, visitorDailyBandwidth: false }),
);

const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
// The client keeps its connections while the other servers run their rounds: closing idle ones after the
// default 5 s races the client's next request on them (ECONNRESET).
server.keepAliveTimeout = 10 * 60_000;
const stop = async () => {
  server.close();
  await store.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
