/** In-memory OpenTelemetry for tests: a metric reader whose points can be looked up by name and attributes. */
import { type Attributes, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type AttInstrumentation, type AttInstrumentationOptions, instrumentAtt } from '../src/index.js';

export interface Telemetry {
  instrumentation: AttInstrumentation;
  spans: InMemorySpanExporter;
  tracerProvider: BasicTracerProvider;
  /** Collects now and returns every data point of `name` (sum or value; histograms as their count/sum). */
  points(name: string): Promise<DataPoint<number | Histogram>[]>;
  /** The value of the point of `name` whose attributes include `match` (0 when absent). */
  value(name: string, match?: Attributes): Promise<number>;
  histogram(name: string, match?: Attributes): Promise<Histogram | undefined>;
  close(): Promise<void>;
}

let contextInstalled = false;

export function startTelemetry(options: AttInstrumentationOptions = {}): Telemetry {
  if (!contextInstalled) {
    // What the Node SDK does: async context propagation, so spans find the active one across awaits.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextInstalled = true;
  }
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never fires in a test: collect() reads on demand.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const instrumentation = instrumentAtt({ meterProvider, tracerProvider, ...options });

  const collect = async (): Promise<ResourceMetrics> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    return resourceMetrics;
  };
  const points = async (name: string) => {
    const found: DataPoint<number | Histogram>[] = [];
    for (const scope of (await collect()).scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name === name) found.push(...(metric.dataPoints as DataPoint<number | Histogram>[]));
      }
    }
    return found;
  };
  const find = async (name: string, match: Attributes = {}) =>
    (await points(name)).find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  return {
    instrumentation,
    spans,
    tracerProvider,
    points,
    async value(name, match) {
      const point = await find(name, match);
      return point === undefined ? 0 : (point.value as number);
    },
    async histogram(name, match) {
      return (await find(name, match))?.value as Histogram | undefined;
    },
    async close() {
      instrumentation.close();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

export { trace };

/** Polls `check` until it holds (events of a response arrive after the client saw its end). */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A body of `size` zero bytes, as the Store takes them (any AsyncIterable<Uint8Array>). */
export async function* bodyOf(size: number): AsyncIterable<Uint8Array> {
  yield new Uint8Array(size);
}
