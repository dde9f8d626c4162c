import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({
  name: 'otel',
  // backend-s3's setup: Swift (installed if missing) and fauxqs on 127.0.0.1, for the S3 retry and span tests.
  globalSetup: ['../backend-s3/test/setup/global-setup.ts'],
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
