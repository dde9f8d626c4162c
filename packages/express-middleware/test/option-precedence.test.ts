import { createStore, isAttError } from '@att/store-core';
import { createMemoryBackend } from '@att/store-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { attachments } from '../src/index.js';
import { bytes, startServer, type TestServer } from './fixture.js';

const MiB = 1024 * 1024;
const DAY = 24 * 3600_000;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function configError(fn: () => unknown): { code?: string; message?: string; field?: unknown } {
  try {
    fn();
  } catch (err) {
    if (isAttError(err)) return { code: err.code, message: err.message, field: err.details?.field };
    return { code: `not an AttError: ${String(err)}` };
  }
  return {};
}

describe('the Store owns fileSizeLimit and expiry; the middleware may only narrow them', () => {
  it("with no middleware value the store's limits apply (a 16 MiB upload, a 7-day expiry)", async () => {
    server = await startServer({ visitorTotalSizeLimit: false }, { fileSizeLimit: 1024 * MiB, expiry: 7 * DAY });
    const before = Date.now();
    const res = await fetch(`${server.base}/`, { method: 'POST', body: bytes(16 * MiB) });
    expect(res.status, 'the middleware must not impose a default file limit of its own').toBe(201);
    const json = await res.json();
    expect(json.size).toBe(16 * MiB);
    expect(json.expires * 1000, 'the store expiry must apply, not a middleware default').toBeGreaterThanOrEqual(
      before + 7 * DAY - 1000,
    );
  });

  it('a narrower middleware value applies to its uploads', async () => {
    server = await startServer({ fileSizeLimit: 1 * MiB, expiry: 3600_000 }, { fileSizeLimit: 4 * MiB, expiry: DAY });
    const big = await fetch(`${server.base}/`, { method: 'POST', body: bytes(2 * MiB) });
    expect(big.status).toBe(413);
    const before = Date.now();
    const ok = await fetch(`${server.base}/`, { method: 'POST', body: bytes(1000) });
    const json = await ok.json();
    expect(json.expires * 1000).toBeLessThanOrEqual(before + 3600_000 + 1000);
    expect(json.expires * 1000).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
  });

  it('a wider middleware value is an INVALID_CONFIG error at startup naming both values', () => {
    const store = createStore({ backend: createMemoryBackend(), fileSizeLimit: 1000, expiry: 60_000 });
    const wideFile = configError(() => attachments({ store, fileSizeLimit: 2000 }));
    expect(wideFile.code).toBe('INVALID_CONFIG');
    expect(wideFile.field).toBe('fileSizeLimit');
    expect(wideFile.message).toContain('2000');
    expect(wideFile.message).toContain('1000');
    const wideExpiry = configError(() => attachments({ store, expiry: 120_000 }));
    expect(wideExpiry.code).toBe('INVALID_CONFIG');
    expect(wideExpiry.message).toContain('120000');
    expect(wideExpiry.message).toContain('60000');
  });

  it('every config error is an AttError INVALID_CONFIG naming the field', () => {
    const store = createStore({ backend: createMemoryBackend() });
    const cases: [string, () => unknown][] = [
      ['store', () => attachments({} as never)],
      ['maxFiles', () => attachments({ store, maxFiles: -1 })],
      ['rateLimit.burst', () => attachments({ store, rateLimit: { burst: 0 } })],
      ['visitorTotalSizeLimit', () => attachments({ store, visitorTotalSizeLimit: Number.NaN })],
      ['authorize', () => attachments({ store, authorize: 'yes' as never })],
      ['onStateError', () => attachments({ store, onStateError: 'maybe' as never })],
    ];
    for (const [field, make] of cases) {
      const err = configError(make);
      expect(err.code, field).toBe('INVALID_CONFIG');
      expect(err.field, field).toBe(field);
    }
  });

  it('a partial rateLimit fills the missing field with its default (no 429 on the first requests)', async () => {
    server = await startServer({ rateLimit: { burst: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.base}/missing${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});
