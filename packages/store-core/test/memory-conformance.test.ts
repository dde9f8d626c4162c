import { createMemoryBackend, describeBackendConformance } from '../src/testing/index.js';

describeBackendConformance('memory', () => createMemoryBackend());
