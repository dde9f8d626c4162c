import { defineConfig } from 'vitest/config';

// One run over every package and example, so `pnpm test` prints one summary and .ci/run can count it.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*'],
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    passWithNoTests: true,
  },
});
