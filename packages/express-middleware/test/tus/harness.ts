// The tus test harness every tus scenario file shares: a real Express server with `attachments({ resumable })`
// on loopback over a given backend, the real tus-js-client driving it, and byte-for-byte download checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { type Backend, createStore, type Store, type StoreOptions } from '@att/store-core';
import express from 'express';
import * as tus from 'tus-js-client';
import { expect } from 'vitest';
import { type AttachmentsOptions, attachments } from '../../src/index.js';

export interface TusServer {
  endpoint: string;
  base: string;
  port: number;
  store: Store;
  backend: Backend;
  close(): Promise<void>;
}

export async function startServer(
  backend: Backend,
  options: Partial<AttachmentsOptions> = {},
  storeOptions: Partial<StoreOptions> = {},
  port = 0,
): Promise<TusServer> {
  const store = createStore({ backend, ...storeOptions });
  const app = express();
  app.use(
    '/files',
    attachments({
      store,
      resumable: true,
      rateLimit: false,
      visitorTotalSizeLimit: false,
      visitorDailyBandwidth: false,
      ...options,
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${actual}/files`;
  return {
    endpoint: `${base}/uploads`,
    base,
    port: actual,
    store,
    backend,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

export interface Sent {
  url: string;
  /** Method and Upload-Offset of every request the client made. */
  requests: Array<{ method: string; offset: string | undefined }>;
}

export function upload(
  input: Buffer | Readable,
  options: tus.UploadOptions & { abortAfter?: number },
): Promise<Sent> & { handle: tus.Upload } {
  const requests: Sent['requests'] = [];
  let handle!: tus.Upload;
  const done = new Promise<Sent>((resolve, reject) => {
    handle = new tus.Upload(input, {
      retryDelays: [0, 50, 100, 200, 400, 800, 1600],
      ...options,
      onBeforeRequest(req) {
        requests.push({ method: req.getMethod(), offset: req.getHeader('Upload-Offset') });
      },
      onProgress(sent) {
        if (options.abortAfter !== undefined && sent >= options.abortAfter) {
          options.abortAfter = undefined;
          // In Node this destroys the request's socket mid-body.
          handle.abort().then(() => resolve({ url: handle.url as string, requests }), reject);
        }
      },
      onError: reject,
      onSuccess: () => resolve({ url: handle.url as string, requests }),
    });
    handle.start();
  });
  return Object.assign(done, { handle });
}

export async function download(server: TusServer, url: string): Promise<Buffer> {
  const id = url.split('/').pop() as string;
  const res = await fetch(`${server.base}/${id}`);
  expect(res.status, `GET of the finished upload answered ${res.status}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

export function expectSame(got: Buffer, want: Buffer, what: string): void {
  expect(got.length, `${what}: ${got.length} bytes downloaded, ${want.length} uploaded`).toBe(want.length);
  expect(got.equals(want), `${what}: the downloaded bytes differ from the uploaded ones`).toBe(true);
}
