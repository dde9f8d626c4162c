import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { HTTP_REQUEST_CHANNEL, type HttpRequestEvent } from '@att/store-core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, describeOnEachExpress, eventually, startServer, type TestServer } from './fixture.js';

let server: TestServer;
let events: HttpRequestEvent[] = [];
const onEvent = (message: unknown) => events.push(message as HttpRequestEvent);
beforeEach(() => {
  events = [];
  subscribe(HTTP_REQUEST_CHANNEL, onEvent);
});
afterEach(async () => {
  unsubscribe(HTTP_REQUEST_CHANNEL, onEvent);
  await server?.close();
});

async function settled(count: number): Promise<HttpRequestEvent[]> {
  expect(await eventually(() => events.length >= count, 5000), `${count} request events`).toBe(true);
  return events;
}

describeOnEachExpress('request events on att:http:request', () => {
  it('report route, status, code and bytes of uploads, downloads and refusals', async () => {
    server = await startServer({ fileSizeLimit: 500_000 });
    const data = bytes(300_000);
    const up = await fetch(`${server.base}/`, { method: 'POST', body: data });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: string };
    const down = await fetch(`${server.base}/${id}`);
    expect(Buffer.from(await down.arrayBuffer()).length).toBe(300_000);
    const missing = await fetch(`${server.base}/nothing-here`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
    const big = await fetch(`${server.base}/`, { method: 'POST', body: bytes(600_000) });
    expect(big.status).toBe(413);
    await big.arrayBuffer();

    const [upload, download, notFound, tooLarge] = await settled(4);
    expect(upload).toMatchObject({ route: 'upload', method: 'POST', status: 201, completed: true });
    expect(upload?.code, 'a success has no code').toBeUndefined();
    expect(upload?.bytesIn, 'the body was read while the request was served').toBeGreaterThanOrEqual(300_000 - 65_536);
    expect(download).toMatchObject({ route: 'download', method: 'GET', status: 200, completed: true });
    expect(download?.bytesOut, 'body plus headers').toBeGreaterThan(300_000);
    expect(notFound).toMatchObject({ route: 'download', status: 404, code: 'NOT_FOUND' });
    expect(tooLarge).toMatchObject({ route: 'upload', status: 413, code: 'TOO_LARGE' });
    for (const event of events) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.visitor, 'no raw visitor without opt-in').toBeUndefined();
      expect(event.visitorHash).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(JSON.stringify(event), 'the IP never appears').not.toContain('127.0.0.1');
    }
    expect(new Set(events.map((e) => e.visitorHash)).size, 'one visitor, one hash').toBe(1);
  });

  it('name the visitor when the app opts in', async () => {
    server = await startServer({ reportVisitor: 'raw', visitor: () => 'visitor-7' });
    const res = await fetch(`${server.base}/`, { method: 'POST', body: bytes(10) });
    expect(res.status).toBe(201);
    await res.arrayBuffer();
    const [event] = await settled(1);
    expect(event).toMatchObject({ route: 'upload', status: 201, visitor: 'visitor-7' });
  });

  it('refuse an unknown reportVisitor', async () => {
    await expect(startServer({ reportVisitor: 'ip' as 'raw' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'reportVisitor' },
    });
  });
});
