export { describeBackendConformance } from './conformance.js';
export type { BackendFactory, ConformanceCapabilities, ConformanceOptions } from './harness.js';
export {
  createMemoryBackend,
  createMemoryStorage,
  type MemoryBackendOptions,
  type MemoryStorage,
} from './memory-backend.js';
export { describePluginConformance, type PluginConformanceOptions } from './plugin-conformance.js';
export { describeStateConformance, type StateConformanceOptions } from './state-conformance.js';
export { describeStoreConformance } from './store-conformance.js';
