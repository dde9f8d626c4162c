/**
 * The `file:` plugin: `registerBackend(fsPlugin)`, then `createStore({ backend: 'file:///var/att' })` or a bare
 * path (`'./attachments'`). `?fsync=false` in the URL (or `{ fsync: false }` as options) turns fsync off.
 */
import { fileURLToPath } from 'node:url';
import { AttError, defineBackend } from '@att/store-core';
import { FsBackend, type FsBackendOptions } from './fs-backend.js';

export type FsPluginOptions = Partial<Omit<FsBackendOptions, 'dir'>>;

function flag(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  if (['1', 'true', 'yes', 'on', ''].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  throw new AttError('INVALID_CONFIG', 'file: URL parameter fsync must be true or false');
}

export const fsPlugin = defineBackend<FsPluginOptions>({
  scheme: 'file',
  create(url, options = {}) {
    if (url.host !== '' && url.host !== 'localhost') {
      throw new AttError('INVALID_CONFIG', 'file: URLs must name a local path (file:///path)');
    }
    let dir: string;
    try {
      dir = fileURLToPath(new URL(url.pathname, 'file://'));
    } catch (cause) {
      throw new AttError('INVALID_CONFIG', 'malformed file: URL', { cause });
    }
    const fsync = flag(url.searchParams.get('fsync')) ?? options.fsync;
    return new FsBackend({ ...options, dir, ...(fsync === undefined ? {} : { fsync }) });
  },
});
