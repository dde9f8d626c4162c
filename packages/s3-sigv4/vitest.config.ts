import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({ name: 's3-sigv4' });
