/**
 * `describeBackendConformance(name, create, options?)`: the checks every att backend must pass, for vitest.
 * `create` is called for every test; `close()` is called after it when present; keys are unique per run, so a
 * shared bucket works. With no options every check runs; options only narrow the suite.
 */

import { concurrencyChecks } from './checks/concurrency.js';
import { failureChecks } from './checks/failures.js';
import { listingChecks } from './checks/listing.js';
import { metadataChecks, rangeChecks } from './checks/metadata-and-ranges.js';
import { resumableChecks } from './checks/resumable.js';
import { roundTripChecks } from './checks/round-trip.js';
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
    describe('resumable uploads (when offered)', () => resumableChecks(harness));
  });
}
