import { libraryConfig } from '../../scripts/tsup-preset';

export default libraryConfig();
