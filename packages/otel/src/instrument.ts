/**
 * `instrumentAtt()`: subscribes to att's diagnostics channels (Store events, the middleware's requests, the S3
 * client's requests) and turns each message into OpenTelemetry metrics and spans. att's packages never import
 * OpenTelemetry; this package is the only bridge, and an app that does not install it pays one `hasSubscribers`
 * check per report.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  type CleanupEvent,
  HTTP_REQUEST_CHANNEL,
  type HttpRequestEvent,
  S3_REQUEST_END_CHANNEL,
  S3_REQUEST_START_CHANNEL,
  type S3RequestMessage,
  STORE_CHANNELS,
  type SyncEvent,
  type WriteEvent,
  type WriteFailedEvent,
} from '@att/store-core';
import { type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { observeStores } from './gauges.js';
import { AttMetrics } from './metrics.js';
import { NamedStores, type StoresOption } from './stores.js';
import { AttTraces } from './traces.js';

export interface AttInstrumentationOptions {
  /** Default: the global provider (`metrics.getMeterProvider()`), a no-op until an SDK registers one. */
  meterProvider?: MeterProvider;
  /** Default: the global provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /** Stores whose gauges (size, remaining, writes in flight, backend buffers) are reported; a record names them. */
  stores?: StoresOption;
  /** Record metrics. Default true. */
  metrics?: boolean;
  /** Record spans (S3 requests, uploads). Default true. */
  traces?: boolean;
  /**
   * Record `http.server.request.duration` for the middleware's requests. Default true; turn it off when the
   * app's HTTP instrumentation records it for every route already.
   */
  httpServerMetrics?: boolean;
}

export interface AttInstrumentation {
  /** Unsubscribes from every channel and unregisters the gauges. */
  close(): void;
}

const SCOPE = '@att/otel';

type Message<T> = T & { store?: unknown };

export function instrumentAtt(options: AttInstrumentationOptions = {}): AttInstrumentation {
  const stores = new NamedStores(options.stores);
  const subscriptions: [string, (message: unknown) => void][] = [];
  const on = <T>(name: string, handle: (message: Message<T>) => void) => {
    const listener = (message: unknown) => handle(message as Message<T>);
    subscribe(name, listener);
    subscriptions.push([name, listener]);
  };
  const closers: (() => void)[] = [];

  if (options.metrics !== false) {
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
    const recorded = new AttMetrics(meter, { httpServerMetrics: options.httpServerMetrics !== false });
    on<HttpRequestEvent>(HTTP_REQUEST_CHANNEL, (event) => recorded.http(event));
    on<WriteEvent>(STORE_CHANNELS.write, (event) => recorded.write(event, stores.attributesOf(event.store)));
    on<WriteFailedEvent>(STORE_CHANNELS.writeFailed, (event) =>
      recorded.writeFailed(event, stores.attributesOf(event.store)),
    );
    on<CleanupEvent>(STORE_CHANNELS.cleanup, (event) => recorded.cleanup(event, stores.attributesOf(event.store)));
    on<SyncEvent>(STORE_CHANNELS.sync, (event) => recorded.sync(event, stores.attributesOf(event.store)));
    on<S3RequestMessage>(S3_REQUEST_END_CHANNEL, (message) => recorded.s3(message));
    closers.push(observeStores(meter, stores));
  }

  if (options.traces !== false) {
    const spans = new AttTraces((options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE));
    on<S3RequestMessage>(S3_REQUEST_START_CHANNEL, (message) => spans.s3Start(message));
    on<S3RequestMessage>(S3_REQUEST_END_CHANNEL, (message) => spans.s3End(message));
    on<WriteEvent>(STORE_CHANNELS.write, (event) => spans.upload(event, false));
    on<WriteFailedEvent>(STORE_CHANNELS.writeFailed, (event) => spans.upload(event, true));
  }

  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      for (const [name, listener] of subscriptions) unsubscribe(name, listener);
      for (const close of closers) close();
    },
  };
}
