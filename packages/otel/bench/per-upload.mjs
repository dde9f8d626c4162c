// The CPU an upload's telemetry costs, measured in-process where a loaded machine distorts it least: the
// messages one 1 MiB upload through the middleware publishes (its request event, the Store's write event) sent
// `count` times through @att/otel on the SDK set up as in server.mjs (metrics into an in-memory reader, spans
// through a batch processor), against the same loop with nobody subscribed. Returns microseconds per upload.
import { channel } from 'node:diagnostics_channel';
import { HTTP_REQUEST_CHANNEL, STORE_CHANNELS } from '@att/store-core';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { instrumentAtt } from '../dist/index.js';

const requests = channel(HTTP_REQUEST_CHANNEL);
const writes = channel(STORE_CHANNELS.write);
const MiB = 1024 * 1024;

/** One upload's reports, as the middleware and the Store publish them (guarded by hasSubscribers, like there). */
function reportOneUpload(store, i) {
  if (writes.hasSubscribers) writes.publish({ id: `id${i}`, size: MiB, durationMs: 12.5, store });
  if (requests.hasSubscribers) {
    requests.publish({
      route: 'upload',
      method: 'POST',
      status: 201,
      bytesIn: MiB,
      bytesOut: 230,
      visitorHash: 'AAAAAAAAAAAAAAAA',
      durationMs: 13.1,
      completed: true,
    });
  }
}

function cpuMicros(count, store, inSpan) {
  const tracer = trace.getTracer('bench');
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    if (!inSpan) reportOneUpload(store, i);
    else {
      tracer.startActiveSpan('POST', (span) => {
        reportOneUpload(store, i);
        span.end();
      });
    }
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

export async function perUploadMicros(count = 50_000) {
  const store = { size: 0 }; // only its identity matters to @att/otel here
  const quiet = cpuMicros(count, store, false);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1000 })],
  });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] });
  trace.setGlobalTracerProvider(tracerProvider);
  // The request span itself is the HTTP instrumentation's cost, not ours: measured alone, then subtracted.
  const spanOnly = cpuMicros(count, store, true);
  const instrumentation = instrumentAtt({ meterProvider, tracerProvider });
  cpuMicros(count / 10, store, true); // warm-up
  const recorded = cpuMicros(count, store, true);
  instrumentation.close();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
  return { quiet, att: recorded - spanOnly };
}
