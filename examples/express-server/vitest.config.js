import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'express-server-example',
    // Installs Debian's chromium once when it is missing (CI starts on a bare machine).
    globalSetup: ['test/ensure-chromium.js'],
  },
});
