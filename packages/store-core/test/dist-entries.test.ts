/**
 * The built entries as users load them (package self-reference, so this runs on dist/): `@att/store-core/testing`
 * must share the main entry's classes, or `instanceof AttError` fails for errors of the memory backend.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Core = typeof import('../src/index.js');
type Testing = typeof import('../src/testing/index.js');

// Names in variables: typechecking must not need dist/ (it is built before the tests run, not before tsc).
const CORE = '@att/store-core';
const TESTING = '@att/store-core/testing';

async function missingHead(testing: Testing): Promise<unknown> {
  return testing
    .createMemoryBackend()
    .head('missing')
    .catch((err: unknown) => err);
}

describe('built entries', () => {
  it('share one AttError class between the main entry and /testing (ESM)', async () => {
    const core = (await import(CORE)) as Core;
    const testing = (await import(TESTING)) as Testing;
    const err = await missingHead(testing);
    expect(core.isAttError(err, 'NOT_FOUND')).toBe(true);
    expect(err).toBeInstanceOf(core.AttError);
    const store = core.createStore({ backend: testing.createMemoryBackend() });
    await expect(store.stat('missing')).rejects.toBeInstanceOf(core.AttError);
  });

  it('share one AttError class between the main entry and /testing (CommonJS)', async () => {
    const require = createRequire(import.meta.url);
    const core = require(CORE) as Core;
    const testing = require(TESTING) as Testing;
    expect(typeof testing.describeBackendConformance).toBe('function');
    const err = await missingHead(testing);
    expect(core.isAttError(err, 'NOT_FOUND')).toBe(true);
    expect(err).toBeInstanceOf(core.AttError);
  });
});
