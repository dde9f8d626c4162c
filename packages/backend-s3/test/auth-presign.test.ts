import { setTimeout as delay } from 'node:timers/promises';
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { clientFor, freshClient, randomBytes, readAll } from './helpers/clients.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { listAllKeys, s3Servers } from './support/servers.js';

describe.each(s3Servers().map((s) => [s.name, s] as const))('presigned URLs and addressing on %s', (_name, server) => {
  const strict = server.capabilities.verifiesSignatures;

  it('presigned GET and PUT work with plain fetch', async () => {
    const { client } = await freshClient(server, 'presign', { prefix: 'up loads' });
    const data = randomBytes(4096);
    const putUrl = await client.presignPutUrl('a b+c.bin', { expiresIn: 300, contentType: 'application/x-test' });
    const put = await fetch(putUrl, { method: 'PUT', body: data, headers: { 'content-type': 'application/x-test' } });
    expect(put.status).toBe(200);
    const head = await client.headObject('a b+c.bin');
    expect(head.size).toBe(4096);
    expect(head.contentType).toBe('application/x-test');

    const getUrl = await client.presignGetUrl('a b+c.bin', {
      expiresIn: 300,
      responseContentDisposition: 'attachment; filename="a b.bin"',
    });
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
    if (strict) expect(got.headers.get('content-disposition')).toBe('attachment; filename="a b.bin"');
    await client.close();
  });

  it.runIf(strict)('rejects presigned URLs that expired or were tampered with', async () => {
    const { client } = await freshClient(server, 'presign-neg');
    await client.putObject('secret.txt', 'hidden');
    await client.putObject('other.txt', 'other');
    const url = await client.presignGetUrl('secret.txt', { expiresIn: 1 });
    expect((await fetch(url)).status).toBe(200);
    const tamperedKey = url.replace('secret.txt', 'other.txt');
    expect((await fetch(tamperedKey)).status).toBe(403);
    const sig = new URL(url);
    const s = sig.searchParams.get('X-Amz-Signature') as string;
    sig.searchParams.set('X-Amz-Signature', (s[0] === 'a' ? 'b' : 'a') + s.slice(1));
    expect((await fetch(sig)).status).toBe(403);
    const putUrl = await client.presignPutUrl('new.txt', { expiresIn: 60, contentType: 'text/plain' });
    const wrongType = await fetch(putUrl, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/html' } });
    expect(wrongType.status).toBe(403);
    // Expiry is whole seconds on the server side: wait it out (bounded) and expect a refusal.
    await delay(2100);
    expect((await fetch(url)).status).toBe(403);
    await client.close();
  });

  it.runIf(strict)('a wrong secret gives ACCESS_DENIED with status 403, for PUT and for a bodiless HEAD', async () => {
    const { bucket, client } = await freshClient(server, 'denied');
    await client.putObject('exists', 'x');
    const bad = clientFor(server, bucket, { secretAccessKey: 'definitely-wrong-secret' });
    const errors = [
      await bad.putObject('k', 'data').catch((e) => e),
      await bad.putObject('k', randomBytes(6 * 1024 * 1024)).catch((e) => e),
      await bad.headObject('exists').catch((e) => e),
      await bad.getObject('exists').catch((e) => e),
    ];
    for (const err of errors) {
      expect(isAttError(err, 'ACCESS_DENIED'), String(err)).toBe(true);
      expect(err.status).toBe(403);
      expect(err.details.httpStatus).toBe(403);
      expect(`${err.message} ${JSON.stringify(err)} ${JSON.stringify(err.details)}`).not.toContain('definitely-wrong');
    }
    expect(await listAllKeys(server, bucket)).toEqual(['exists']);
    await bad.close();
    await client.close();
  });

  it.runIf(server.capabilities.virtualHosted)(
    'uses virtual-hosted style, resolving <bucket>.localhost itself',
    async () => {
      const { bucket, client: pathStyle } = await freshClient(server, 'vhost');
      // The proxy shows what actually went over the wire: Host header and path.
      const proxy = await startFaultProxy(server.endpoint);
      const port = new URL(proxy.endpoint).port;
      const client = clientFor(server, bucket, {
        endpoint: `http://localhost:${port}`,
        forcePathStyle: false,
        prefix: 'v',
      });
      const data = randomBytes(6 * 1024 * 1024 + 3);
      await client.putObject('k y', data);
      expect((await readAll((await client.getObject('k y')).body)).equals(data)).toBe(true);
      const listed: string[] = [];
      for await (const o of client.listObjects()) listed.push(o.key);
      expect(listed).toEqual(['k y']);
      await client.deleteObjects(['k y']);
      expect(proxy.requests.length).toBeGreaterThan(4);
      for (const req of proxy.requests) {
        expect(req.headers.host).toBe(`${bucket}.localhost:${port}`);
        expect(req.path.startsWith(`/${bucket}`)).toBe(false);
      }
      expect(await listAllKeys(server, bucket)).toEqual([]);
      await proxy.close();
      await client.close();
      await pathStyle.close();
    },
  );
});
