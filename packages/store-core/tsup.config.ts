import { libraryConfig } from '../../scripts/tsup-preset.js';

export default libraryConfig({ index: 'src/index.ts', testing: 'src/testing/index.ts' }, { external: ['vitest'] });
