import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'state-redis',
    // Installs (if missing) and starts redis-server on 127.0.0.1 on a free port; tests get it via inject('redis').
    globalSetup: ['./test/global-setup.ts'],
  },
});
