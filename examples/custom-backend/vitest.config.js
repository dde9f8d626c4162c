import { attProject } from '../../scripts/vitest-project.mjs';

export default attProject({ name: 'custom-backend-example' });
