/**
 * `describeStoreConformance(name, create)`: the Store's own guarantees (live limits under concurrency, exact sizes
 * on replace, expiry, cleanup, sync) checked on top of a given backend. Every backend that passes the backend suite
 * should pass this one too; it is how att proves the Store on fs, memory and S3 alike.
 */

import type { BackendFactory } from './harness.js';
import { lifecycleChecks } from './store-checks/lifecycle.js';
import { limitChecks } from './store-checks/limits.js';
import { createStoreHarness } from './store-checks/support.js';
import { describe } from './vitest.js';

export function describeStoreConformance(name: string, create: BackendFactory, options: { timeout?: number } = {}) {
  const harness = createStoreHarness(create, options.timeout ?? 120_000);
  describe(`${name}: Store on this backend`, () => {
    describe('limits and accounting', () => limitChecks(harness));
    describe('expiry, cleanup and sync', () => lifecycleChecks(harness));
  });
}
