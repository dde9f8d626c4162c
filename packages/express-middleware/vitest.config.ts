import { configDefaults } from 'vitest/config';
import { unavailableProjects } from '../../scripts/test-prerequisites.mjs';
import { attProject } from '../../scripts/vitest-project.mjs';

// The tests against Swift (direct uploads check presigned signatures; a missing bucket) need what backend-s3's
// tests need: on a machine that can neither find nor apt-get Swift they are left out, with one line, and the rest
// of the HTTP suite still runs. With CI=true nothing is left out.
const swift = unavailableProjects().find((p) => p.project === 'backend-s3');
const SWIFT_TESTS = ['test/direct/**', 'test/missing-bucket.test.ts'];
if (swift) console.log(`skipping express-middleware's Swift tests (${SWIFT_TESTS.join(', ')}): ${swift.reason}`);

export default attProject({
  name: 'express-middleware',
  // Starts Swift (it checks presigned signatures) for the direct-to-bucket tests; see test/direct/.
  globalSetup: swift ? [] : ['test/direct/global-setup.ts'],
  exclude: swift ? [...configDefaults.exclude, ...SWIFT_TESTS] : configDefaults.exclude,
});
