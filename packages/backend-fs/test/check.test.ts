import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createStore } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { fsBackend } from '../src/index.js';
import { codeOf, tempDir } from './support.js';

describe('fs backend check()', () => {
  it('creates the directory if needed, proves it writable and leaves nothing behind', async () => {
    const dir = path.join(tempDir(), 'not-yet');
    const backend = fsBackend({ dir });
    await backend.check();
    await backend.check();
    expect(readdirSync(dir)).toEqual(['.att-tmp']);
    expect(readdirSync(path.join(dir, '.att-tmp'))).toEqual([]);
  });

  it('a directory path that is a file is BACKEND_UNAVAILABLE, also through Store.check', async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, 'file'), 'x');
    const backend = fsBackend({ dir: path.join(parent, 'file', 'store') });
    expect(await codeOf(backend.check())).toBe('BACKEND_UNAVAILABLE');
    expect(await codeOf(createStore({ backend }).check())).toBe('BACKEND_UNAVAILABLE');
  });

  it('an aborted check does nothing', async () => {
    const dir = path.join(tempDir(), 'never');
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(fsBackend({ dir }).check({ signal: controller.signal }))).toBe('ABORTED');
    expect(() => readdirSync(dir)).toThrow();
  });

  // Root writes through permission bits, so only an unprivileged run can see this refusal.
  it.skipIf(process.getuid?.() === 0)('a read-only directory is ACCESS_DENIED', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, '.att-tmp'));
    chmodSync(path.join(dir, '.att-tmp'), 0o500);
    try {
      expect(await codeOf(fsBackend({ dir }).check())).toBe('ACCESS_DENIED');
    } finally {
      chmodSync(path.join(dir, '.att-tmp'), 0o700);
    }
  });
});
