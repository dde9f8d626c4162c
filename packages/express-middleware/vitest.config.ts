import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({
  name: 'express-middleware',
  // Starts Swift (it checks presigned signatures) for the direct-to-bucket tests; see test/direct/.
  globalSetup: ['test/direct/global-setup.ts'],
});
