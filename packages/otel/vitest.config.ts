import { configDefaults } from 'vitest/config';
import { unavailableProjects } from '../../scripts/test-prerequisites.mjs';
import { attProject } from '../../scripts/vitest-project.mjs';

// The S3 test (retries through the fault proxy, S3 spans) needs what backend-s3's tests need: on a machine that
// can neither find nor apt-get Swift it is left out, with one line, and the rest still runs. CI=true runs it.
const swift = unavailableProjects().find((p) => p.project === 'backend-s3');
const S3_TESTS = ['test/s3.test.ts'];
if (swift) console.log(`skipping @att/otel's S3 tests (${S3_TESTS.join(', ')}): ${swift.reason}`);

export default attProject({
  name: 'otel',
  // backend-s3's setup: Swift (installed if missing) and fauxqs on 127.0.0.1.
  globalSetup: swift ? [] : ['../backend-s3/test/setup/global-setup.ts'],
  exclude: swift ? [...configDefaults.exclude, ...S3_TESTS] : configDefaults.exclude,
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
