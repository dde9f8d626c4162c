// Step 4 of the guide. The plugin: how apps reach the backend by URL. `registerBackend(packdirPlugin)`, then
// `createStore({ backend: 'packdir:///var/lib/att' })`. Like every att plugin, a setting the URL states wins over
// the same option (`backendOptions`), and config errors name the field, never the URL.
import { fileURLToPath } from 'node:url';
import { AttError, defineBackend } from '@att/store-core';
import { packdirBackend } from './packdir-backend.js';

function invalid(field, problem) {
  return new AttError('INVALID_CONFIG', `packdir: ${problem}`, { details: { field } });
}

export const packdirPlugin = defineBackend({
  scheme: 'packdir',
  package: 'custom-backend-example',
  hint: 'packdir:///absolute/directory?fsync=false',
  create(url, options = {}) {
    if (url.host !== '' || url.pathname === '' || url.pathname === '/') {
      throw invalid('path', 'URLs look like packdir:///absolute/directory');
    }
    for (const name of url.searchParams.keys()) {
      if (name !== 'fsync') throw invalid(name, `parameter ${name} is not known (known: fsync)`);
    }
    const fsyncParam = url.searchParams.get('fsync');
    if (fsyncParam !== null && fsyncParam !== 'true' && fsyncParam !== 'false') {
      throw invalid('fsync', 'fsync must be true or false');
    }
    let dir;
    try {
      dir = fileURLToPath(`file://${url.pathname}`);
    } catch {
      throw invalid('path', 'the path is not a valid directory path'); // no cause: it would repeat the URL
    }
    // The URL wins; the option fills in when the URL is silent; the backend's default after that.
    const fsync = fsyncParam === null ? options.fsync : fsyncParam === 'true';
    return packdirBackend({ dir, fsync });
  },
});
