import { createMemoryBackend, describeStoreConformance } from '../src/testing/index.js';

describeStoreConformance('memory', () => createMemoryBackend());
