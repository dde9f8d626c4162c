import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({
  name: 'state-redis',
  // Installs (if missing) and starts redis-server on 127.0.0.1 on a free port; tests get it via inject('redis').
  globalSetup: ['./test/global-setup.ts'],
});
