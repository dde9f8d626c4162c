import { defineConfig } from 'vitest/config';
import { unavailableProjects } from './scripts/test-prerequisites.mjs';
import { testTimeouts } from './scripts/vitest-project.mjs';

// Projects whose system tool (Swift, Chromium) this machine lacks and cannot apt-get: left out, one line each.
const skipped = unavailableProjects();
for (const { project, reason } of skipped) console.log(`skipping ${project}: ${reason}`);

// One run over every package and example, so `pnpm test` prints one summary and .ci/run can count it.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', ...skipped.map(({ dir }) => `!${dir}`)],
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    ...testTimeouts,
    passWithNoTests: true,
  },
});
