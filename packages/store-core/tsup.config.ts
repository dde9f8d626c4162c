import { libraryConfig } from '../../scripts/tsup-preset.js';

// Shared chunks (CJS too): `/testing` must use the very `AttError` class and default registry of the main entry,
// else `err instanceof AttError` fails for errors of the memory backend and the suite's Stores.
export default libraryConfig(
  { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  { external: ['vitest'], splitting: true },
);
