import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStore, isAttError } from '@att/store-core';
import { describeStoreConformance } from '@att/store-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fsBackend } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'att-fs-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('fs', () => fsBackend({ dir }));

describe('Store on fs: defence in depth', () => {
  it('a Store with a permissive id pattern still cannot write outside its directory', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'att-fs-depth-'));
    try {
      const store = createStore({ backend: fsBackend({ dir: path.join(parent, 'inner') }), idPattern: /^.+$/s });
      for (const id of ['../outside', '..', '/etc/x', 'a\\..\\b', '%2e%2e/x', 'nul\0byte']) {
        const err = await store
          .write(
            id,
            (async function* () {
              yield Buffer.from('x');
            })(),
          )
          .catch((e: unknown) => e);
        expect(isAttError(err, 'INVALID_ID'), JSON.stringify(id)).toBe(true);
      }
      expect(readdirSync(parent), 'nothing may be created anywhere').toEqual([]);
      expect(store.size).toBe(0);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
