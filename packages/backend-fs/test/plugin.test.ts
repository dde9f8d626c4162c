import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendRegistry, createStore, isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { FsBackend, fsPlugin } from '../src/index.js';
import { chunks, readText, tempDir } from './support.js';

function registry(): BackendRegistry {
  return new BackendRegistry().register(fsPlugin);
}

describe('fsPlugin', () => {
  it('resolves file: URLs and bare paths to an fs backend', () => {
    const dir = tempDir();
    const fromUrl = registry().resolve(pathToFileURL(dir).href) as FsBackend;
    expect(fromUrl).toBeInstanceOf(FsBackend);
    expect(fromUrl.root).toBe(dir);
    expect((registry().resolve(dir) as FsBackend).root).toBe(dir);
    const relative = registry().resolve('./some/relative dir') as FsBackend;
    expect(relative.root).toBe(path.resolve('some/relative dir'));
  });

  it('reads fsync from the URL or the options, and rejects nonsense', () => {
    const dir = tempDir();
    expect(() => registry().resolve(`${pathToFileURL(dir).href}?fsync=false`)).not.toThrow();
    expect(() => registry().resolve(`${pathToFileURL(dir).href}?fsync=maybe`)).toThrow(/fsync/);
    expect(() => registry().resolve('file://remote-host/share')).toThrow(/local path/);
    try {
      registry().resolve('file://remote-host/share');
    } catch (err) {
      expect(isAttError(err, 'INVALID_CONFIG')).toBe(true);
    }
  });

  it('lets a setting in the URL win over the same option, and options fill in the rest', () => {
    const url = pathToFileURL(tempDir()).href;
    const resolve = (target: string, options?: object) => registry().resolve(target, options) as FsBackend;
    expect(resolve(`${url}?fsync=false`, { fsync: true }).fsync, 'the URL says fsync=false').toBe(false);
    expect(resolve(`${url}?fsync=true`, { fsync: false }).fsync, 'the URL says fsync=true').toBe(true);
    expect(resolve(url, { fsync: false }).fsync, 'the URL is silent: the option applies').toBe(false);
    expect(resolve(url).fsync, 'the default').toBe(true);
    expect(() => resolve(`${url}?fsynk=false`)).toThrow(/fsynk is not known/);
  });

  it('gives a Store that owns its backend', async () => {
    const dir = tempDir();
    const store = createStore({ backend: dir, registry: registry(), backendOptions: { fsync: false } });
    expect(store.backend).toBeInstanceOf(FsBackend);
    await store.write('hello', chunks('world'), { contentType: 'text/plain', filename: 'hello.txt' });
    const { body, attachment } = await store.read('hello');
    expect(await readText(body)).toBe('world');
    expect(attachment).toMatchObject({ size: 5, filename: 'hello.txt', contentType: 'text/plain' });
    await store.close();
    await store.close();
  });
});
