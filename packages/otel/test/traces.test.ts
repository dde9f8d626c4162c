import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { attachments } from '@att/express-middleware';
import { createStore } from '@att/store-core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import express from 'express';
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

it('through the middleware: the upload span is a child of the server span, as HTTP instrumentation makes it', async () => {
  dir = await mkdtemp(join(tmpdir(), 'att-otel-'));
  const store = createStore({ backend: fsBackend({ dir }) });
  telemetry = startTelemetry();
  const tracer = telemetry.tracerProvider.getTracer('test');
  const app = express();
  app.use('/attachments', attachments({ store, rateLimit: false }));
  // What @opentelemetry/instrumentation-http does for each incoming request: a server span, active while the
  // request is handled (the context follows the handler's async work).
  const server = http.createServer((req, res) =>
    tracer.startActiveSpan(`${req.method} /attachments`, { kind: SpanKind.SERVER }, (span) => {
      res.once('close', () => span.end());
      app(req, res);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/attachments`;
    const raw = await fetch(`${base}/`, { method: 'POST', body: new Uint8Array(300_000) });
    expect(raw.status).toBe(201);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(1000)]), 'a.bin');
    const multipart = await fetch(`${base}/`, { method: 'POST', body: form });
    expect(multipart.status).toBe(201);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  }
  const spans = telemetry.spans.getFinishedSpans();
  const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
  const uploads = spans.filter((s) => s.name === 'att.upload');
  expect(uploads.map((s) => s.attributes['att.upload.bytes'])).toEqual([300_000, 1000]);
  uploads.forEach((upload, i) => {
    expect(upload.parentSpanContext?.spanId, `upload ${i} under its request's span`).toBe(
      servers[i]?.spanContext().spanId,
    );
  });
});
