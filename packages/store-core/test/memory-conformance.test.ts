import { createMemoryBackend, createMemoryStorage, describeBackendConformance } from '../src/testing/index.js';

// One storage for every instance, as a disk or bucket would be: the resumable checks restart the backend on it.
const storage = createMemoryStorage();
describeBackendConformance('memory', () => createMemoryBackend({ storage }));
