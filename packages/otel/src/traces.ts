/**
 * Spans for S3 requests and uploads. Both start in the async context of the code that reported them, so with
 * the app's HTTP instrumentation (and a context manager, which the Node SDK installs) they are children of the
 * incoming request's span. An S3 span opens on `att:s3:request:start` and closes on `:end` (the same message
 * object); an upload span is made when the write ends, back-dated to when its limits were checked, so S3 spans
 * of the upload are its siblings under the HTTP span rather than its children.
 */

import type { S3RequestMessage, WriteEvent, WriteFailedEvent } from '@att/store-core';
import { context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';

export class AttTraces {
  readonly #tracer: Tracer;
  readonly #s3Spans = new WeakMap<S3RequestMessage, Span>();

  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  s3Start(message: S3RequestMessage): void {
    const span = this.#tracer.startSpan(
      `S3.${message.operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'rpc.system': 'aws-api',
          'rpc.service': 'S3',
          'rpc.method': message.operation,
          'aws.s3.bucket': message.bucket,
          'http.request.method': message.method,
        },
      },
      context.active(),
    );
    this.#s3Spans.set(message, span);
  }

  s3End(message: S3RequestMessage): void {
    const span = this.#s3Spans.get(message);
    if (!span) return; // started before this instrumentation subscribed
    this.#s3Spans.delete(message);
    span.setAttributes({
      'http.response.status_code': message.status ?? 0,
      'att.s3.attempts': message.attempts,
      'att.s3.retries': message.retries,
    });
    if (message.code !== undefined) {
      span.setAttribute('error.type', message.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: message.code });
    }
    span.end();
  }

  upload(event: WriteEvent | WriteFailedEvent, failed: boolean): void {
    const end = Date.now();
    const span = this.#tracer.startSpan(
      'att.upload',
      {
        kind: SpanKind.INTERNAL,
        startTime: end - event.durationMs,
        attributes: {
          'att.attachment.id': event.id,
          'att.upload.bytes': 'size' in event ? event.size : event.bytesReceived,
          'att.outcome': 'code' in event ? event.code : 'stored',
        },
      },
      context.active(),
    );
    if (failed && 'code' in event) {
      span.setAttribute('error.type', event.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.code });
    }
    span.end(end);
  }
}
