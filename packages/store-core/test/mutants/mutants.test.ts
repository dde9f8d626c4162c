// The suite's own conformance: each mutant plants one newcomer bug in an otherwise correct backend, and the
// backend suite must fail on exactly the check written for that bug (so it was missed before that check).
import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/testing/fixtures.js';
import { describeBackendConformance } from '../../src/testing/index.js';
import { collectChecks } from '../../src/testing/vitest.js';
import { DeleteStopsAtMissing } from './delete-stops-at-missing.js';
import { GetIgnoresAbort } from './get-ignores-abort.js';
import { IndexPerInstance } from './index-per-instance.js';
import { KeepsCallerBuffers } from './keeps-caller-buffers.js';
import { ListIgnoresAbort } from './list-ignores-abort.js';
import { ListsAStaleSnapshot } from './lists-a-stale-snapshot.js';
import { NewcomerBackend, type SharedObjects } from './newcomer-backend.js';
import { SkipsMetadataCheck } from './skips-metadata-check.js';

type BackendClass = new (objects: SharedObjects) => NewcomerBackend;

/** Mutant → the one check that must catch it (the end of its name). */
const MUTANTS: Array<[BackendClass, string]> = [
  [SkipsMetadataCheck, 'refuses metadata outside the shared rules with INVALID_REQUEST and stores nothing'],
  [KeepsCallerBuffers, 'keeps copies: chunks and metadata reused by the caller after put resolves change nothing'],
  [IndexPerInstance, 'an object written through one instance is read, listed and deleted through another'],
  [ListsAStaleSnapshot, 'a listing stays whole while objects under it are written, replaced and deleted'],
  [DeleteStopsAtMissing, 'delete() of many keys with one missing removes every key that exists'],
  [GetIgnoresAbort, 'an abort while a get body is read ends the body with an abort error before its end'],
  [ListIgnoresAbort, 'an abort during a listing rejects the next step with ABORTED'],
];

/** Runs every check of the backend suite on `Backend` (instances share one storage) and names the failures. */
async function failingChecks(Backend: BackendClass): Promise<{ failed: string[]; reasons: string[]; total: number }> {
  const objects: SharedObjects = new Map();
  const checks = collectChecks(() =>
    describeBackendConformance(Backend.name, () => new Backend(objects), { largeBodies: false, manyKeys: false }),
  );
  const failed: string[] = [];
  const reasons: string[] = [];
  for (const check of checks) {
    try {
      await check.run();
    } catch (err) {
      failed.push(check.name.slice(check.name.lastIndexOf(' > ') + 3));
      reasons.push(`${check.name}: ${describeError(err)}`);
    }
  }
  return { failed, reasons, total: checks.length };
}

describe('backend suite against planted bugs', () => {
  it('passes the correct newcomer backend the mutants are made from', async () => {
    const { failed, reasons, total } = await failingChecks(NewcomerBackend);
    expect(total, 'collected no checks').toBeGreaterThan(30);
    expect(failed, reasons.join('\n')).toEqual([]);
  });

  for (const [Mutant, catcher] of MUTANTS) {
    it(`catches ${Mutant.name} with "${catcher}" and with nothing else`, async () => {
      const { failed, reasons } = await failingChecks(Mutant);
      expect(failed, `checks that failed on ${Mutant.name}:\n${reasons.join('\n')}`).toEqual([catcher]);
    });
  }
});
