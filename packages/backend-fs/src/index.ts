export { FsBackend, type FsBackendOptions, fsBackend } from './fs-backend.js';
export { type FsPluginOptions, fsPlugin } from './plugin.js';
