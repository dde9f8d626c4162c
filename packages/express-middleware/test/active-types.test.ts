import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTIVE_TYPES, isActiveType } from '../src/index.js';
import { describeOnEachExpress, startServer, type TestServer } from './fixture.js';

let server: TestServer;

describeOnEachExpress('active types', () => {
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(ACTIVE_TYPES)('%s, claimed for a text upload, downloads as an octet-stream attachment', async (type) => {
    expect(isActiveType(`${type}; charset=utf-8`), 'parameters do not hide it').toBe(true);
    const up = await fetch(`${server.base}/`, {
      method: 'POST',
      body: 'alert(document.domain)',
      headers: { 'content-type': type },
    });
    expect(up.status).toBe(201);
    const { url } = await up.json();
    const down = await fetch(url);
    expect(down.headers.get('content-type'), `${type} must not be served as itself`).toBe('application/octet-stream');
    expect(down.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(down.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await down.text()).toBe('alert(document.domain)');
  });

  it('XML with a stylesheet processing instruction is active whatever the client claims', async () => {
    const up = await fetch(`${server.base}/`, {
      method: 'POST',
      body: '<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="x.xsl"?><a/>',
      headers: { 'content-type': 'text/plain' },
    });
    const { url, type } = await up.json();
    expect(isActiveType(type)).toBe(true);
    const down = await fetch(url);
    expect(down.headers.get('content-type')).toBe('application/octet-stream');
    expect(down.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('plain types stay inline under their own type', async () => {
    const up = await fetch(`${server.base}/`, {
      method: 'POST',
      body: 'just text',
      headers: { 'content-type': 'text/plain' },
    });
    const down = await fetch((await up.json()).url);
    expect(down.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(down.headers.get('content-disposition')).toMatch(/^inline;/);
  });
});
