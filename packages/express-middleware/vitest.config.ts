import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'express-middleware',
    // Starts Swift (it checks presigned signatures) for the direct-to-bucket tests; see test/direct/.
    globalSetup: ['test/direct/global-setup.ts'],
  },
});
