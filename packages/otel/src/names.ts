/**
 * Every instrument @att/otel records, named once: HTTP server metrics by OpenTelemetry's semantic conventions,
 * everything else under `att.*`. The README's table and the tests read the same constants.
 */

/** Metric names. Units follow OpenTelemetry (`s` for durations, `By` for bytes, `{thing}` for counts). */
export const METRICS = {
  /** Histogram, s: each request the attachments middleware served (semconv HTTP server metric). */
  httpServerDuration: 'http.server.request.duration',
  /** Counter, By: bytes read from (`network.io.direction=receive`) and written to (`transmit`) HTTP connections. */
  httpIo: 'att.http.io',
  /** Counter, {upload}: Store writes by `att.outcome` (`stored` or the AttError code). */
  uploads: 'att.uploads',
  /** Histogram, s: Store write duration (limits checked → published or failed), by `att.outcome`. */
  uploadDuration: 'att.upload.duration',
  /** Counter, {download}: GET/HEAD answers by `att.outcome` (`ok` or the code answered). */
  downloads: 'att.downloads',
  /** Counter, {object}: cleanup deletions by `att.reason` (`expired`, `orphan`, `incomplete`). */
  cleanupDeletions: 'att.cleanup.deletions',
  /** Counter, By: bytes cleanup freed. */
  cleanupFreed: 'att.cleanup.freed',
  /** Counter, {pass}: cleanup passes by `att.outcome` (`ran`, `skipped`: another process held the lease). */
  cleanupPasses: 'att.cleanup.passes',
  /** Counter, By: size drift a listing corrected, by `att.drift` (`uncounted`: more stored than counted; `overcounted`). */
  storeDrift: 'att.store.drift',
  /** Counter, {request}: S3 requests (all attempts of one) by `att.s3.operation`, `http.response.status_code`, `error.type`. */
  s3Requests: 'att.s3.requests',
  /** Histogram, s: S3 request latency (all attempts of one), by operation and status. */
  s3Duration: 'att.s3.request.duration',
  /** Counter, {retry}: S3 retries by `att.s3.operation` and `att.retry.cause` (`http_503`, `timeout`, …). */
  s3Retries: 'att.s3.retries',
  /** Gauge, By: the store's total (stored plus reserved by writes in flight), as this process sees it. */
  storeSize: 'att.store.size',
  /** Gauge, By: bytes left under the store's totalSizeLimit (absent without one). */
  storeRemaining: 'att.store.remaining',
  /** Gauge, {upload}: Store writes in flight in this process. */
  uploadsActive: 'att.uploads.active',
  /** Gauge, By: upload buffers the backend holds (S3: part buffers), and their budget. */
  bufferUsage: 'att.backend.buffer.usage',
  bufferLimit: 'att.backend.buffer.limit',
} as const;

/** Attribute keys (semconv ones where they exist). */
export const ATTRS = {
  method: 'http.request.method',
  status: 'http.response.status_code',
  errorType: 'error.type',
  direction: 'network.io.direction',
  route: 'att.route',
  outcome: 'att.outcome',
  reason: 'att.reason',
  drift: 'att.drift',
  store: 'att.store',
  operation: 'att.s3.operation',
  cause: 'att.retry.cause',
} as const;

/** Semconv's advised buckets for http.server.request.duration; S3 latency uses them too. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Uploads run from milliseconds (small files, refusals) to minutes (large bodies, slow clients). */
export const UPLOAD_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
