/**
 * The counters and histograms: one method per diagnostics message, each turning the message into measurements.
 * Durations arrive in milliseconds and are recorded in seconds, as OpenTelemetry's conventions say.
 */

import type {
  CleanupEvent,
  HttpRequestEvent,
  S3RequestMessage,
  SyncEvent,
  WriteEvent,
  WriteFailedEvent,
} from '@att/store-core';
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { ATTRS, HTTP_DURATION_BUCKETS, METRICS, UPLOAD_DURATION_BUCKETS } from './names.js';

export interface MetricOptions {
  /** Record `http.server.request.duration` (turn off when the app's HTTP instrumentation already does). */
  httpServerMetrics: boolean;
}

export class AttMetrics {
  readonly #httpDuration: Histogram | undefined;
  readonly #httpIo: Counter;
  readonly #uploads: Counter;
  readonly #uploadDuration: Histogram;
  readonly #downloads: Counter;
  readonly #deletions: Counter;
  readonly #freed: Counter;
  readonly #passes: Counter;
  readonly #drift: Counter;
  readonly #s3Requests: Counter;
  readonly #s3Duration: Histogram;
  readonly #s3Retries: Counter;

  constructor(meter: Meter, options: MetricOptions) {
    this.#httpDuration = options.httpServerMetrics
      ? meter.createHistogram(METRICS.httpServerDuration, {
          unit: 's',
          description: 'Duration of HTTP server requests (the attachments middleware).',
          advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
        })
      : undefined;
    this.#httpIo = meter.createCounter(METRICS.httpIo, {
      unit: 'By',
      description: 'Bytes read from and written to HTTP connections by the attachments middleware.',
    });
    this.#uploads = meter.createCounter(METRICS.uploads, { unit: '{upload}', description: 'Store writes by outcome.' });
    this.#uploadDuration = meter.createHistogram(METRICS.uploadDuration, {
      unit: 's',
      description: 'Duration of Store writes, from the limit check to the published object or the failure.',
      advice: { explicitBucketBoundaries: UPLOAD_DURATION_BUCKETS },
    });
    this.#downloads = meter.createCounter(METRICS.downloads, {
      unit: '{download}',
      description: 'Downloads (GET and HEAD) by outcome.',
    });
    this.#deletions = meter.createCounter(METRICS.cleanupDeletions, {
      unit: '{object}',
      description: 'Objects and incomplete uploads deleted by cleanup, by reason.',
    });
    this.#freed = meter.createCounter(METRICS.cleanupFreed, { unit: 'By', description: 'Bytes freed by cleanup.' });
    this.#passes = meter.createCounter(METRICS.cleanupPasses, { unit: '{pass}', description: 'Cleanup passes.' });
    this.#drift = meter.createCounter(METRICS.storeDrift, {
      unit: 'By',
      description: 'Bytes by which a listing corrected the counted total.',
    });
    this.#s3Requests = meter.createCounter(METRICS.s3Requests, {
      unit: '{request}',
      description: 'S3 requests (with all their attempts) by operation and final status.',
    });
    this.#s3Duration = meter.createHistogram(METRICS.s3Duration, {
      unit: 's',
      description: 'Duration of S3 requests, all attempts included.',
      advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
    });
    this.#s3Retries = meter.createCounter(METRICS.s3Retries, {
      unit: '{retry}',
      description: 'S3 attempts that were retried, by operation and cause.',
    });
  }

  http(event: HttpRequestEvent): void {
    const route = { [ATTRS.route]: event.route };
    this.#httpDuration?.record(event.durationMs / 1000, {
      [ATTRS.method]: event.method,
      [ATTRS.status]: event.status,
      ...route,
      ...(event.code === undefined || event.status < 500 ? {} : { [ATTRS.errorType]: event.code }),
    });
    if (event.bytesIn > 0) this.#httpIo.add(event.bytesIn, { ...route, [ATTRS.direction]: 'receive' });
    if (event.bytesOut > 0) this.#httpIo.add(event.bytesOut, { ...route, [ATTRS.direction]: 'transmit' });
    if (event.route === 'download') {
      const outcome = event.status < 400 && event.completed ? 'ok' : (event.code ?? `http_${event.status}`);
      this.#downloads.add(1, { [ATTRS.outcome]: outcome });
    }
  }

  write(event: WriteEvent, store: Attributes): void {
    const attributes = { ...store, [ATTRS.outcome]: 'stored' };
    this.#uploads.add(1, attributes);
    this.#uploadDuration.record(event.durationMs / 1000, attributes);
  }

  writeFailed(event: WriteFailedEvent, store: Attributes): void {
    const attributes = { ...store, [ATTRS.outcome]: event.code };
    this.#uploads.add(1, attributes);
    this.#uploadDuration.record(event.durationMs / 1000, attributes);
  }

  cleanup(event: CleanupEvent, store: Attributes): void {
    this.#passes.add(1, { ...store, [ATTRS.outcome]: event.skipped ? 'skipped' : 'ran' });
    if (event.skipped) return;
    for (const reason of ['expired', 'orphans', 'incomplete'] as const) {
      const count = event[reason];
      if (count > 0) this.#deletions.add(count, { ...store, [ATTRS.reason]: reason === 'orphans' ? 'orphan' : reason });
    }
    if (event.bytesFreed > 0) this.#freed.add(event.bytesFreed, store);
  }

  sync(event: SyncEvent, store: Attributes): void {
    if (event.drift === 0) return;
    this.#drift.add(Math.abs(event.drift), { ...store, [ATTRS.drift]: event.drift > 0 ? 'uncounted' : 'overcounted' });
  }

  s3(message: S3RequestMessage): void {
    const operation = { [ATTRS.operation]: message.operation };
    const attributes = {
      ...operation,
      [ATTRS.status]: message.status ?? 0,
      ...(message.code === undefined ? {} : { [ATTRS.errorType]: message.code }),
    };
    this.#s3Requests.add(1, attributes);
    if (message.durationMs !== undefined) this.#s3Duration.record(message.durationMs / 1000, attributes);
    for (const cause of message.retries) this.#s3Retries.add(1, { ...operation, [ATTRS.cause]: cause });
  }
}
