import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { createStore } from '@att/store-core';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { bodyOf, startTelemetry, type Telemetry } from './support.js';

let telemetry: Telemetry | undefined;
let dir: string | undefined;
afterEach(async () => {
  await telemetry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('an upload span is a child of the span active when the write ran (the HTTP span in an app)', async () => {
  dir = await mkdtemp(join(tmpdir(), 'att-otel-'));
  const store = createStore({ backend: fsBackend({ dir }), fileSizeLimit: 100 });
  telemetry = startTelemetry();
  const tracer = telemetry.tracerProvider.getTracer('test');
  await tracer.startActiveSpan('GET /request', async (parent) => {
    await store.write('fits', bodyOf(50));
    await store.write('toolarge', bodyOf(200)).catch(() => {});
    parent.end();
  });
  await store.close();
  const spans = telemetry.spans.getFinishedSpans();
  const parent = spans.find((s) => s.name === 'GET /request');
  const uploads = spans.filter((s) => s.name === 'att.upload');
  expect(uploads.map((s) => s.attributes['att.outcome'])).toEqual(['stored', 'TOO_LARGE']);
  for (const span of uploads) {
    expect(span.parentSpanContext?.spanId, 'child of the active span').toBe(parent?.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent?.spanContext().traceId);
  }
  expect(uploads[0]?.attributes).toMatchObject({ 'att.attachment.id': 'fits', 'att.upload.bytes': 50 });
  expect(uploads[0]?.status.code).not.toBe(SpanStatusCode.ERROR);
  expect(uploads[1]?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'TOO_LARGE' });
  expect(uploads[1]?.attributes['error.type']).toBe('TOO_LARGE');
});
