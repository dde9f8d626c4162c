import { Readable } from 'node:stream';
import { BackendRegistry, createStore, isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { s3Plugin } from '../src/index.js';
import { readAll } from './helpers/clients.js';
import { createTestBucket, listAllKeys, s3Servers } from './support/servers.js';

function s3Url(
  server: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string },
  bucket: string,
  prefix: string,
) {
  const key = encodeURIComponent(server.accessKeyId);
  const secret = encodeURIComponent(server.secretAccessKey);
  return `s3://${key}:${secret}@${bucket}/${prefix}/?region=${server.region}&endpoint=${encodeURIComponent(server.endpoint)}`;
}

describe('s3Plugin and the registry', () => {
  it('resolves nothing until registered, then s3:// URLs', async () => {
    const server = s3Servers()[0]!;
    const registry = new BackendRegistry();
    const url = s3Url(server, 'whatever', 'p');
    const err = (() => {
      try {
        registry.resolve(url);
      } catch (e) {
        return e;
      }
    })();
    expect(isAttError(err, 'UNKNOWN_BACKEND'), String(err)).toBe(true);
    expect(String((err as Error).message)).toContain('@att/backend-s3');
    expect(String((err as Error).message)).not.toContain(server.secretAccessKey);
    registry.register(s3Plugin);
    expect(registry.has('s3')).toBe(true);
    const backend = registry.resolve(url);
    await backend.close?.();
  });

  describe.each(s3Servers().map((s) => [s.name, s] as const))('a Store on %s via URL', (_name, server) => {
    it('writes attachments under <prefix>/<id> and reads them back', async () => {
      const bucket = await createTestBucket(server, 'store');
      const registry = new BackendRegistry().register(s3Plugin);
      const store = createStore({ backend: s3Url(server, bucket, 'att/files'), registry });
      const written = await store.write('abc123', Readable.from([Buffer.from('hello attachment')]), {
        contentType: 'text/plain',
      });
      expect(written.size).toBe(16);
      const keys = await listAllKeys(server, bucket);
      expect(keys).toEqual(['att/files/abc123']);
      const read = await store.read('abc123');
      expect((await readAll(read.body)).toString()).toBe('hello attachment');
      await store.remove('abc123');
      expect(await listAllKeys(server, bucket)).toEqual([]);
      await store.close();
    });
  });
});
