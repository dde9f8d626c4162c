/**
 * The `file:` plugin: `registerBackend(fsPlugin)`, then `createStore({ backend: 'file:///var/att' })` or a bare
 * path (`'./attachments'`). `?fsync=false` in the URL (or `{ fsync: false }` as options) turns fsync off; as for
 * every att plugin, a setting the URL states wins over the same option (see store-core's `BackendPlugin`).
 */
import { fileURLToPath } from 'node:url';
import { AttError, defineBackend } from '@att/store-core';
import { FsBackend, type FsBackendOptions } from './fs-backend.js';

export type FsPluginOptions = Partial<Omit<FsBackendOptions, 'dir'>>;

function flag(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  if (['1', 'true', 'yes', 'on', ''].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  throw new AttError('INVALID_CONFIG', 'file: URL parameter fsync must be true or false', {
    details: { field: 'fsync' },
  });
}

export const fsPlugin = defineBackend<FsPluginOptions>({
  scheme: 'file',
  package: '@att/backend-fs',
  hint: 'file:///absolute/dir or a bare path such as ./attachments',
  create(url, options = {}) {
    if (url.host !== '' && url.host !== 'localhost') {
      throw new AttError('INVALID_CONFIG', 'file: URLs must name a local path (file:///path)', {
        details: { field: 'host' },
      });
    }
    let dir: string;
    try {
      dir = fileURLToPath(new URL(url.pathname, 'file://'));
    } catch {
      // No `cause`: the parser's error repeats the input.
      throw new AttError('INVALID_CONFIG', 'malformed file: URL', { details: { field: 'path' } });
    }
    for (const name of url.searchParams.keys()) {
      if (name !== 'fsync') {
        throw new AttError('INVALID_CONFIG', `file: URL parameter ${name} is not known (known: fsync)`, {
          details: { field: name },
        });
      }
    }
    // The URL wins over the same option; options fill in what it leaves out.
    const fsync = flag(url.searchParams.get('fsync')) ?? options.fsync;
    return new FsBackend({ ...options, dir, ...(fsync === undefined ? {} : { fsync }) });
  },
});
