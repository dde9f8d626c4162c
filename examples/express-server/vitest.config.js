import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({
  name: 'express-server-example',
  // Installs Debian's chromium once when it is missing (CI starts on a bare machine).
  globalSetup: ['test/ensure-chromium.js'],
});
