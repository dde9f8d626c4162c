import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsBackend } from '../src/index.js';
import { chunks, codeOf, tempDir } from './support.js';

const hostile = [
  '',
  '.',
  '..',
  '../escape',
  'a/../../escape',
  'a/./b',
  './a',
  '/etc/passwd',
  '/abs',
  'a\\b',
  '..\\escape',
  'a\0b',
  'nul\0',
  'line\nbreak',
  '%2e%2e/escape',
  '%2E%2E',
  'a/%2e%2e/b',
  'a%2fb',
  'a%5cb',
  'a//b',
  'trailing/',
  '.att-tmp/x',
  '.att-meta/1.json',
  'x/.att-evil',
  'x'.repeat(256),
  'y'.repeat(1025),
];

describe('fs backend keys', () => {
  it('rejects hostile keys with INVALID_ID for every operation and writes nothing', async () => {
    const parent = tempDir();
    const dir = path.join(parent, 'store');
    const backend = fsBackend({ dir, fsync: false });
    for (const key of hostile) {
      const label = JSON.stringify(key);
      expect(await codeOf(backend.put(key, chunks('x'))), label).toBe('INVALID_ID');
      expect(await codeOf(backend.get(key)), label).toBe('INVALID_ID');
      expect(await codeOf(backend.head(key)), label).toBe('INVALID_ID');
      expect(await codeOf(backend.delete([key])), label).toBe('INVALID_ID');
    }
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(path.join(parent, 'escape'))).toBe(false);
  });

  it('accepts keys with folders, dots inside names, spaces and non-ASCII letters', async () => {
    const backend = fsBackend({ dir: tempDir(), fsync: false });
    for (const key of ['a/b/c.txt', 'file.tar.gz', '..hidden-but-not-dots', 'x..y', 'späce ü.txt', '.profile']) {
      await backend.put(key, chunks(key));
      expect((await backend.head(key)).size, key).toBe(Buffer.byteLength(key));
    }
  });

  it('a key cannot be both an object and a folder (and the failed put leaves nothing)', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir, fsync: false });
    await backend.put('a/b', chunks('1'));
    expect(await codeOf(backend.put('a', chunks('2')))).toBe('INVALID_ID');
    await backend.put('c', chunks('3'));
    expect(await codeOf(backend.put('c/d', chunks('4')))).toBe('INVALID_ID');
    expect(readdirSync(path.join(dir, '.att-tmp'))).toEqual([]);
    expect(await codeOf(backend.get('a'))).toBe('NOT_FOUND');
    expect(await codeOf(backend.head('a'))).toBe('NOT_FOUND');
  });
});
