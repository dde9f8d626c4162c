import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({
  name: 'backend-s3',
  // Installs (if missing) and starts Swift + s3api and fauxqs on 127.0.0.1; tests get them via inject('s3Servers').
  globalSetup: ['./test/setup/global-setup.ts'],
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
