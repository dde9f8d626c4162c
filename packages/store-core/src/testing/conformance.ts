/**
 * `describeBackendConformance(name, create, options?)`: the checks every att backend must pass, for vitest.
 * `create` is called for every test; `close()` is called after it when present; keys are unique per run, so a
 * shared bucket works. With no options every check runs; options only narrow the suite.
 */

import { bulkDeleteChecks } from './checks/bulk-delete.js';
import { callerInputChecks } from './checks/caller-inputs.js';
import { concurrencyChecks } from './checks/concurrency.js';
import { failureChecks } from './checks/failures.js';
import { listingChecks } from './checks/listing.js';
import { listingUnderChangeChecks } from './checks/listing-under-change.js';
import { metadataChecks, rangeChecks } from './checks/metadata-and-ranges.js';
import { readAbortChecks } from './checks/read-aborts.js';
import { resumableChecks } from './checks/resumable.js';
import { roundTripChecks } from './checks/round-trip.js';
import { sharedStorageChecks } from './checks/shared-storage.js';
import { type BackendFactory, type ConformanceOptions, createHarness } from './harness.js';
import { describe } from './vitest.js';

export function describeBackendConformance(name: string, create: BackendFactory, options?: ConformanceOptions): void {
  const harness = createHarness(create, options);
  describe(`${name}: backend conformance`, () => {
    describe('round trips', () => roundTripChecks(harness));
    describe('metadata', () => metadataChecks(harness));
    describe('ranges', () => rangeChecks(harness));
    describe('listing', () => listingChecks(harness));
    describe('failures leave nothing behind', () => failureChecks(harness));
    describe('concurrency', () => concurrencyChecks(harness));
    describe("the caller's inputs", () => callerInputChecks(harness));
    if (harness.options.capabilities.sharedStorage) {
      describe('storage shared between instances', () => sharedStorageChecks(harness));
    }
    describe('listing while objects change', () => listingUnderChangeChecks(harness));
    describe('deleting many keys', () => bulkDeleteChecks(harness));
    describe('aborts while reading', () => readAbortChecks(harness));
    describe('resumable uploads (when offered)', () => resumableChecks(harness));
  });
}
