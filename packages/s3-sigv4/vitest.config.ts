import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 's3-sigv4' } });
