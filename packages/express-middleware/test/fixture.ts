import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { type Backend, createStore, type Store, type StoreOptions } from '@att/store-core';
import express5 from 'express';
import express4 from 'express4';
import { beforeAll, describe } from 'vitest';
import { type AttachmentsOptions, attachments } from '../src/index.js';

/**
 * The HTTP suites run once per supported Express major: `describeOnEachExpress` repeats a suite, and
 * `createApp()` builds an app of the major the running suite is for.
 */
const EXPRESS = { 5: express5, 4: express4 } as unknown as Record<4 | 5, typeof express5>;
let currentMajor: 4 | 5 = 5;

export function createApp(): express5.Express {
  return EXPRESS[currentMajor]();
}

/** The express module of the running suite's major (for its body parsers). */
export function currentExpress(): typeof express5 {
  return EXPRESS[currentMajor];
}

export function describeOnEachExpress(name: string, suite: (major: 4 | 5) => void): void {
  for (const major of [5, 4] as const) {
    describe(`${name} (Express ${major})`, () => {
      beforeAll(() => {
        currentMajor = major;
      });
      suite(major);
    });
  }
}

export interface Calls {
  get: number;
  head: number;
  put: number;
  delete: number;
}

/** Wraps a backend to count calls (HEAD must never GET; hostile ids must never reach it). */
export function counting(backend: Backend, calls: Calls): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'get' || prop === 'head' || prop === 'put' || prop === 'delete') calls[prop]++;
        return value.apply(target, args);
      };
    },
  });
}

export interface TestServer {
  url: string;
  base: string;
  store: Store;
  backend: Backend;
  calls: Calls;
  dir: string;
  http: http.Server;
  close(): Promise<void>;
}

export async function startServer(
  options: Partial<AttachmentsOptions> = {},
  storeOptions: Partial<StoreOptions> = {},
  wrap: (backend: Backend) => Backend = (b) => b,
  trustProxy = false,
  /** Mounts app middleware before the attachments router (a body parser, say). */
  before: (app: express5.Express) => void = () => {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'att-mw-'));
  const calls: Calls = { get: 0, head: 0, put: 0, delete: 0 };
  const backend = counting(wrap(fsBackend({ dir })), calls);
  const store = createStore({ backend, ...storeOptions });
  const app = createApp();
  app.set('trust proxy', trustProxy);
  before(app);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // Absolute `url`s in answers by default, so tests can fetch them; tests of relative ones pass publicUrl: undefined.
  app.use('/attachments', attachments({ store, rateLimit: false, publicUrl: `${url}/attachments`, ...options }));
  app.use((err: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    res.status(500).json({ appError: String(err) });
  });
  return {
    url,
    base: `${url}/attachments`,
    store,
    backend,
    calls,
    dir,
    http: server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A raw HTTP request (no path normalisation, unlike fetch), answering status, headers and body. */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function bytes(n: number, seed = 1): Buffer {
  const buf = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    buf[i] = x >> 16;
  }
  return buf;
}

/** Polls (bounded) until `check` is true; returns whether it became true in time. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 500): Promise<boolean> {
  const until = Date.now() + ms;
  for (let i = 0; i < 1000; i++) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

export async function listKeys(backend: Backend): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of backend.list()) keys.push(info.key);
  return keys;
}
