import { libraryConfig } from '../../scripts/tsup-preset.js';

export default libraryConfig();
